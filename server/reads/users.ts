import { ApiTokenEntity, UserEntity, type UserRow } from '../db/entities';
import type { ReadSource } from './source';

/**
 * Users of the users table: those of robots.yaml (mirrored on every load) and those added by
 * the CLI or the API.
 */

/** Every user with how many API tokens they hold, by login. */
export async function usersWithTokenCounts(source: ReadSource): Promise<Array<UserRow & { tokens: number }>> {
  const users = await source.manager.find(UserEntity, { order: { login: 'ASC' } });
  const tokens: Array<{ login: string; count: string | number }> = await source.manager
    .createQueryBuilder(ApiTokenEntity, 'token')
    .select('token.login', 'login')
    .addSelect('COUNT(*)', 'count')
    .groupBy('token.login')
    .getRawMany();
  const counts = new Map(tokens.map((row) => [row.login, Number(row.count)]));
  return users.map((user) => ({ ...user, tokens: counts.get(user.login) ?? 0 }));
}

/** Login and name of every user, by login: boards show names, not logins. */
export function userNames(source: ReadSource): Promise<Array<Pick<UserRow, 'login' | 'name'>>> {
  return source.manager.find(UserEntity, { select: { login: true, name: true }, order: { login: 'ASC' } });
}

export async function isStoredUser(source: ReadSource, login: string): Promise<boolean> {
  return (await source.manager.count(UserEntity, { where: { login } })) > 0;
}

export async function storedLogins(source: ReadSource): Promise<string[]> {
  return (await source.manager.find(UserEntity, { select: { login: true } })).map((user) => user.login);
}
