import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '../core/errors';
import { SessionEntity, UserEntity, type UserRow } from '../db/entities';
import type { Store } from '../db/store';

/**
 * People's passwords. Stored as scrypt — memory-hard, in Node without a native
 * add-on — in the PHC string form `$scrypt$ln=15,r=8,p=3$<salt>$<key>`: the parameters travel
 * with each hash, so raising them later re-hashes each password at its next sign-in.
 */
export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/**
 * OWASP's scrypt row for 32 MiB (N = 2^15, r = 8, p = 3): about 0.2 s of one core per sign-in.
 * The cost new hashes get unless the caller passes another (the tests pass a cheap one); a stored
 * hash is checked with its own parameters, whatever the cost of the day.
 */
export const SCRYPT: ScryptParameters = { ln: 15, r: 8, p: 3 };
export const MIN_PASSWORD_LENGTH = 10;
/** Long passphrases are welcome; megabytes are not a password. */
export const MAX_PASSWORD_LENGTH = 1024;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const N = 2 ** parameters.ln;
  const options: ScryptOptions = { N, r: parameters.r, p: parameters.p, maxmem: 256 * N * parameters.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string, parameters: ScryptParameters = SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, parameters);
  return `$scrypt$ln=${parameters.ln},r=${parameters.r},p=${parameters.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface StoredHash {
  parameters: ScryptParameters;
  salt: Buffer;
  key: Buffer;
}

/** Bounds keep a tampered row from asking for gigabytes. */
function parseHash(stored: string): StoredHash | null {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!match) return null;
  const [, ln = '', r = '', p = '', salt = '', key = ''] = match;
  const parameters = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (parameters.ln < 10 || parameters.ln > 20 || parameters.r < 1 || parameters.r > 32 || parameters.p < 1 || parameters.p > 16) return null;
  return { parameters, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

/** Compared against when there is no hash, so an unknown login costs what a known one does (at that cost). */
const standIns = new Map<string, Promise<string>>();
function standInHash(cost: ScryptParameters): Promise<string> {
  const key = `${cost.ln},${cost.r},${cost.p}`;
  let standIn = standIns.get(key);
  if (!standIn) {
    standIn = hashPassword(randomBytes(18).toString('base64url'), cost);
    standIns.set(key, standIn);
  }
  return standIn;
}

/** Always does the work of one scrypt, whether or not there is a hash to check against. */
export async function verifyPassword(password: string, stored: string | null | undefined, cost: ScryptParameters = SCRYPT): Promise<boolean> {
  const parsed = stored ? parseHash(stored) : null;
  const target = parsed ?? (parseHash(await standInHash(cost)) as StoredHash);
  const key = await derive(password, target.salt, target.parameters);
  return parsed !== null && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

export function needsRehash(stored: string, parameters: ScryptParameters = SCRYPT): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.parameters.ln !== parameters.ln || parsed.parameters.r !== parameters.r || parsed.parameters.p !== parameters.p;
}

/** Why a new password is refused, in the words the CLI prints; null when it is fine. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `a password has at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length})`;
  if (length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.includes('\u0000')) return 'a password cannot contain NUL';
  return null;
}

/**
 * Sets a user's password (`robots user passwd`): users of robots.yaml and added users alike,
 * in the database only. Every session the person had ends: a new password is often a reaction
 * to a password someone else learned.
 */
export async function setPassword(store: Store, login: string, password: string, cost: ScryptParameters = SCRYPT): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidRequestError(problem);
  const user = await store.manager.findOne(UserEntity, { where: { login } });
  if (!user) throw new NotFoundError(`no user "${login}": add it to robots.yaml or with \`robots user add\``);
  const passwordHash = await hashPassword(password, cost);
  await store.transaction(async (manager) => {
    await manager.update(UserEntity, { login }, { passwordHash });
    await manager.delete(SessionEntity, { login });
  });
}

/**
 * The user whose password this is, or null — for an unknown login, a user without a password
 * and a wrong password alike, after the same work, so the answer tells nobody which logins exist.
 */
export async function checkPassword(store: Store, login: string, password: string, cost: ScryptParameters = SCRYPT): Promise<UserRow | null> {
  const found = await store.manager.createQueryBuilder(UserEntity, 'user').addSelect('user.passwordHash').where('user.login = :login', { login }).getOne();
  const ok = await verifyPassword(password, found?.passwordHash, cost);
  if (!found || !ok) return null;
  const { passwordHash, ...user } = found;
  // Raised parameters reach each stored hash at its owner's next sign-in.
  if (passwordHash && needsRehash(passwordHash, cost)) {
    const rehashed = await hashPassword(password, cost);
    await store.serialized((manager) => manager.update(UserEntity, { login: user.login }, { passwordHash: rehashed }));
  }
  return user;
}
