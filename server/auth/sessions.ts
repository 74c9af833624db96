import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LessThan } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import { SessionEntity, SignInLinkEntity, UserEntity, type SessionRow } from '../db/entities';
import { insertOne, insertOneIfAbsent, selectOneBy, updateById } from '../db/hot-path';
import type { Store } from '../db/store';
import { SIGN_IN_LINK_TTL_MS } from '../core/sign-in-links';
import type { Viewer } from './access';
import { addedTeamMembers } from './users';

/**
 * A session ends after 12 hours without a request: a working day with its breaks keeps it,
 * the next morning asks again.
 */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** However busy, a session ends 7 days after sign-in: a stolen cookie is not good forever. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60_000;
/** last_seen_at is written at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface OpenedSession {
  /** The cookie's value; only its SHA-256 is stored. */
  cookie: string;
  csrfToken: string;
  /** When it ends at the latest (the cookie's Max-Age). */
  expiresAt: number;
}

export interface ResumedSession {
  user: Viewer;
  csrfToken: string;
  /** When it would end now if nothing else happened: the absolute limit. */
  expiresAt: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function csrfTokenMatches(given: string | undefined, expected: string): boolean {
  if (!given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** The board's sessions, on the engine's clock (tests walk it past the limits). */
export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** A new session for a person who proved who they are; expired sessions are cleared on the way. */
  open(login: string, via: 'password' | 'link'): Promise<OpenedSession> {
    return this.store.transaction((manager) => this.insert(manager, login, via));
  }

  /**
   * A one-time sign-in link opened: the link's nonce is recorded and the session opened in one
   * transaction, so of two opens of the same link exactly one signs in. Null when it was used.
   */
  openFromLink(link: { nonce: string; login: string }): Promise<OpenedSession | null> {
    const now = this.clock.now();
    return this.store.transaction(async (manager) => {
      const fresh = await insertOneIfAbsent(manager, SignInLinkEntity, { nonce: link.nonce, login: link.login, usedAt: now }, 'nonce');
      if (!fresh) return null;
      // A nonce older than a link's lifetime guards nothing: its link has expired anyway.
      await manager.delete(SignInLinkEntity, { usedAt: LessThan(now - SIGN_IN_LINK_TTL_MS) });
      return this.insert(manager, link.login, 'link');
    });
  }

  /** The session of a cookie, if it is still alive and its user still exists. */
  async resume(cookie: string): Promise<ResumedSession | null> {
    const now = this.clock.now();
    const session = await selectOneBy(this.store.manager, SessionEntity, 'tokenHash', sha256(cookie));
    if (!session) return null;
    if (expired(session, now)) {
      await this.store.serialized((manager) => manager.delete(SessionEntity, { id: session.id }));
      return null;
    }
    // A user removed from robots.yaml (or the database) is signed out with them.
    const user = await this.store.manager.findOne(UserEntity, { where: { login: session.login } });
    if (!user) return null;
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.store.serialized((manager) => updateById(manager, SessionEntity, session.id, { lastSeenAt: now }));
    }
    // As authenticate() does for tokens: a manager's team counts the added users who name it.
    const viewer: Viewer = user.role === 'manager' && user.team ? { ...user, addedTeamMembers: await addedTeamMembers(this.store, user.team) } : user;
    return { user: viewer, csrfToken: session.csrfToken, expiresAt: session.createdAt + SESSION_ABSOLUTE_MS };
  }

  async end(cookie: string): Promise<void> {
    await this.store.serialized((manager) => manager.delete(SessionEntity, { tokenHash: sha256(cookie) }));
  }

  private async insert(manager: EntityManager, login: string, via: 'password' | 'link'): Promise<OpenedSession> {
    const now = this.clock.now();
    await manager
      .createQueryBuilder()
      .delete()
      .from(SessionEntity)
      .where('last_seen_at < :idle OR created_at < :absolute', { idle: now - SESSION_IDLE_MS, absolute: now - SESSION_ABSOLUTE_MS })
      .execute();
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await insertOne(manager, SessionEntity, { tokenHash: sha256(cookie), login, csrfToken, via, createdAt: now, lastSeenAt: now });
    return { cookie, csrfToken, expiresAt: now + SESSION_ABSOLUTE_MS };
  }
}

function expired(session: SessionRow, now: number): boolean {
  return now - session.lastSeenAt >= SESSION_IDLE_MS || now - session.createdAt >= SESSION_ABSOLUTE_MS;
}
