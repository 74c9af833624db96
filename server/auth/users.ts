import { createHash, randomBytes } from 'node:crypto';
import { In, Not } from 'typeorm';
import type { CompiledConfig } from '../core/compiled-config';
import { Role, type RoleName } from '../../config/schema';
import { ApiTokenEntity, UserEntity, type UserRow } from '../db/entities';
import type { Store } from '../db/store';
import { ConflictError, InvalidRequestError, NotFoundError } from '../core/errors';
import type { Viewer } from './access';

/** Tokens are shown once and stored only as a SHA-256 hash: a leaked database leaks no token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `rbt_${randomBytes(24).toString('base64url')}`;
}

/** Users written in robots.yaml are mirrored into the users table on every load; CLI-added users stay. */
export async function syncConfigUsers(store: Store, config: CompiledConfig, now: number): Promise<void> {
  const users = [...config.users.values()];
  await store.transaction(async (manager) => {
    // An upsert, not find-then-insert: two processes starting together both sync the same users.
    if (users.length > 0) {
      const rows = users.map((user) => ({ login: user.login, name: user.name, role: user.role, team: user.team ?? null, origin: 'config' as const, createdAt: now }));
      await manager.createQueryBuilder().insert().into(UserEntity).values(rows).orUpdate(['name', 'role', 'team', 'origin'], ['login']).execute();
    }
    const logins = users.map((user) => user.login);
    // A user removed from the YAML loses access; their tokens stay revoked until they return.
    await manager.delete(UserEntity, { origin: 'config', ...(logins.length ? { login: Not(In(logins)) } : {}) });
  });
}

export async function addUser(store: Store, user: { login: string; name?: string; role: string; team?: string }, now: number): Promise<UserRow> {
  const role = Role.safeParse(user.role);
  if (!role.success) throw new InvalidRequestError(`unknown role "${user.role}" (roles: ${Role.options.join(', ')})`);
  if (!/^[A-Za-z0-9_.-]+$/.test(user.login)) throw new InvalidRequestError('logins use letters, digits, _ . -');
  return store.transaction(async (manager) => {
    const row: UserRow = { login: user.login, name: user.name ?? user.login, role: role.data as RoleName, team: user.team ?? null, origin: 'cli', createdAt: now };
    const existing = await manager.findOne(UserEntity, { where: { login: user.login } });
    // robots.yaml owns its users: a role changed here would last only until the next load.
    if (existing?.origin === 'config') throw new ConflictError(`"${user.login}" is a user of robots.yaml; change it there`);
    if (existing) await manager.update(UserEntity, { login: user.login }, { name: row.name, role: row.role, team: row.team });
    else await manager.insert(UserEntity, row);
    return row;
  });
}

export async function createToken(store: Store, login: string, now: number, label?: string): Promise<string> {
  const user = await store.manager.findOne(UserEntity, { where: { login } });
  if (!user) throw new NotFoundError(`no user "${login}": add it to robots.yaml or with \`robots user add\``);
  const token = newToken();
  await store.transaction((manager) => manager.insert(ApiTokenEntity, { login, tokenHash: hashToken(token), label: label ?? null, createdAt: now, lastUsedAt: null }));
  return token;
}

/** A user of the users table, from robots.yaml or added by the CLI or the API: the one list of real users. */
export async function findUser(store: Store, login: string): Promise<UserRow | null> {
  return (await store.manager.findOne(UserEntity, { where: { login } })) ?? null;
}

/** Users added by the CLI or the API who name `team`; robots.yaml's `members:` cannot list them. */
export async function addedTeamMembers(store: Store, team: string): Promise<string[]> {
  const rows = await store.manager.find(UserEntity, { where: { team, origin: 'cli' }, select: ['login'] });
  return rows.map((row) => row.login);
}

/** One indexed join per request: the token's hash to its user (and a manager's added team members). */
export async function authenticate(store: Store, token: string): Promise<Viewer | null> {
  const user = await store.manager
    .createQueryBuilder(UserEntity, 'user')
    .innerJoin('api_tokens', 'token', 'token.login = user.login')
    .where('token.token_hash = :hash', { hash: hashToken(token) })
    .getOne();
  if (!user) return null;
  if (user.role === 'manager' && user.team) return { ...user, addedTeamMembers: await addedTeamMembers(store, user.team) };
  return user;
}
