import { Router } from 'express';
import { z } from 'zod';
import type { Accounts } from '../../auth/accounts';
import { Role } from '../../../config/schema';
import type { LiveConfig } from '../../core/live-config';
import type { ReadSource } from '../../reads/source';
import { usersWithTokenCounts } from '../../reads/users';
import { requireOperation } from '../auth';
import { noQuery } from '../ids';
import { parse, RequestValidationError } from '../problem';

const Login = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, { error: 'logins use letters, digits, _ . -' });

export const NewUserInput = z.strictObject({
  login: Login,
  role: Role,
  team: z.string().max(100).optional(),
  name: z.string().max(300).optional(),
});

const LoginParam = z.strictObject({ login: Login });

export interface UserRouteDeps {
  config: LiveConfig;
  accounts: Pick<Accounts, 'add' | 'createToken' | 'revokeTokens'>;
  reads: ReadSource;
  /** Roles and tokens changed: cached identities are forgotten. */
  onUsersChanged: () => void;
}

/**
 * Admins manage API users beyond robots.yaml (service accounts) and their tokens: a token is
 * shown once on creation; revoking takes effect within the token cache's few seconds, at once
 * on this instance.
 */
export function userRoutes(deps: UserRouteDeps): Router {
  const { accounts, onUsersChanged } = deps;
  const router = Router();
  router.use(requireOperation('users.manage'), noQuery);

  router.get('/', async (_request, response) => {
    const users = await usersWithTokenCounts(deps.reads);
    response.json({
      users: users.map((user) => ({ login: user.login, name: user.name, role: user.role, team: user.team, origin: user.origin, tokens: user.tokens })),
    });
  });

  router.post('/', async (request, response) => {
    const input = parse(NewUserInput, request.body);
    const teams = deps.config.current.teams;
    if (input.team !== undefined && !teams.has(input.team)) {
      throw new RequestValidationError([{ path: 'team', message: `unknown team "${input.team}" (teams: ${[...teams.keys()].join(', ') || 'none'})` }]);
    }
    const user = await accounts.add(input);
    // A changed role, or a manager's team that gained a member, counts at once on this instance.
    onUsersChanged();
    response.status(201).json({ login: user.login, name: user.name, role: user.role, team: user.team, origin: user.origin });
  });

  router.post('/:login/tokens', async (request, response) => {
    const { login } = parse(LoginParam, request.params);
    const token = await accounts.createToken(login, `api:${request.user!.login}`);
    response.status(201).json({ login, token, note: 'shown once; only its hash is stored' });
  });

  router.delete('/:login/tokens', async (request, response) => {
    const { login } = parse(LoginParam, request.params);
    const revoked = await accounts.revokeTokens(login);
    onUsersChanged();
    response.json({ login, revoked });
  });
  return router;
}
