import type { Clock } from '../core/clock';
import { NotFoundError } from '../core/errors';
import type { UserRow } from '../core/rows';
import { ApiTokenEntity, UserEntity } from '../db/entities';
import type { Store } from '../db/store';
import type { Viewer } from './access';
import { checkPassword, SCRYPT, type ScryptParameters } from './passwords';
import { addUser, authenticate, createToken, findUser } from './users';

/**
 * Who may call the API and how they prove it: users beyond robots.yaml (service accounts),
 * their API tokens, passwords. The HTTP layer's one door to these tables' writes.
 */
export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** The scrypt cost new and rehashed passwords get (tests pass a cheap one). */
    private readonly passwordCost: ScryptParameters = SCRYPT,
  ) {}

  /** The user a bearer token belongs to, with a manager's added team members; null when unknown or revoked. */
  authenticate(token: string): Promise<Viewer | null> {
    return authenticate(this.store, token);
  }

  /** The user whose password this is, or null (the same answer for an unknown login). */
  checkPassword(login: string, password: string): Promise<UserRow | null> {
    return checkPassword(this.store, login, password, this.passwordCost);
  }

  find(login: string): Promise<UserRow | null> {
    return findUser(this.store, login);
  }

  /** Adds a user, or changes one added before; a user of robots.yaml is changed there (409). */
  add(user: { login: string; name?: string; role: string; team?: string }): Promise<UserRow> {
    return addUser(this.store, user, this.clock.now());
  }

  /** A new token, returned once; only its hash is stored. */
  createToken(login: string, label?: string): Promise<string> {
    return createToken(this.store, login, this.clock.now(), label);
  }

  /** Revokes every token of a user; returns how many there were. */
  async revokeTokens(login: string): Promise<number> {
    if (!(await this.store.manager.findOne(UserEntity, { where: { login } }))) throw new NotFoundError(`no user "${login}"`);
    const result = await this.store.transaction((manager) => manager.delete(ApiTokenEntity, { login }));
    return result.affected ?? 0;
  }
}
