import { Router } from 'express';
import { z } from 'zod';
import { addUser, createToken } from '../../auth/users';
import { Role } from '../../../config/schema';
import { ApiTokenEntity, UserEntity } from '../../db/entities';
import type { Engine } from '../../engine/engine';
import { NotFoundError } from '../../core/errors';
import { requireOperation } from '../auth';
import { noQuery } from '../ids';
import { parse, RequestValidationError } from '../problem';

const Login = z.string().max(100).regex(/^[A-Za-z0-9_.-]+$/, { error: 'logins use letters, digits, _ . -' });

export const NewUserInput = z.strictObject({
  login: Login,
  role: Role,
  team: z.string().max(100).optional(),
  name: z.string().max(300).optional(),
});

const LoginParam = z.strictObject({ login: Login });

/**
 * Admins manage API users beyond robots.yaml (service accounts) and their tokens: a token is
 * shown once on creation; revoking takes effect within the token cache's few seconds, at once
 * on this instance.
 */
export function userRoutes(engine: Engine, onUsersChanged: () => void): Router {
  const router = Router();
  router.use(requireOperation('users.manage'), noQuery);

  router.get('/', async (_request, response) => {
    const users = await engine.store.manager.find(UserEntity, { order: { login: 'ASC' } });
    const tokens: Array<{ login: string; count: string | number }> = await engine.store.manager
      .createQueryBuilder(ApiTokenEntity, 'token')
      .select('token.login', 'login')
      .addSelect('COUNT(*)', 'count')
      .groupBy('token.login')
      .getRawMany();
    const counts = new Map(tokens.map((row) => [row.login, Number(row.count)]));
    response.json({
      users: users.map((user) => ({ login: user.login, name: user.name, role: user.role, team: user.team, origin: user.origin, tokens: counts.get(user.login) ?? 0 })),
    });
  });

  router.post('/', async (request, response) => {
    const input = parse(NewUserInput, request.body);
    if (input.team !== undefined && !engine.config.teams.has(input.team)) {
      throw new RequestValidationError([{ path: 'team', message: `unknown team "${input.team}" (teams: ${[...engine.config.teams.keys()].join(', ') || 'none'})` }]);
    }
    const user = await addUser(engine.store, input, engine.now());
    // A changed role, or a manager's team that gained a member, counts at once on this instance.
    onUsersChanged();
    response.status(201).json({ login: user.login, name: user.name, role: user.role, team: user.team, origin: user.origin });
  });

  router.post('/:login/tokens', async (request, response) => {
    const { login } = parse(LoginParam, request.params);
    const token = await createToken(engine.store, login, engine.now(), `api:${request.user!.login}`);
    response.status(201).json({ login, token, note: 'shown once; only its hash is stored' });
  });

  router.delete('/:login/tokens', async (request, response) => {
    const { login } = parse(LoginParam, request.params);
    const user = await engine.store.manager.findOne(UserEntity, { where: { login } });
    if (!user) throw new NotFoundError(`no user "${login}"`);
    const result = await engine.store.transaction((manager) => manager.delete(ApiTokenEntity, { login }));
    onUsersChanged();
    response.json({ login, revoked: result.affected ?? 0 });
  });
  return router;
}
