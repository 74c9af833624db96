import { createHash } from 'node:crypto';
import { ConfigVersionEntity, type ConfigVersionRow } from '../db/entities';
import type { Store } from '../db/store';

/** The one home of the config_versions table: every config the server ran, whole, newest last. */

export function configHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Told to open studio pages when the running config was replaced: by a reload of the file or by someone's apply. */
export interface ConfigChanged {
  /** The version now running (null when the history could not keep it). */
  version: number | null;
  hash: string;
  /** Who applied it, or `file` for a change on disk. */
  author: string;
}

export type NewConfigVersion = Omit<ConfigVersionRow, 'id'>;

export class ConfigVersions {
  constructor(private readonly store: Store) {}

  latest(): Promise<ConfigVersionRow | null> {
    return this.store.manager.findOne(ConfigVersionEntity, { where: {}, order: { id: 'DESC' } });
  }

  get(id: number): Promise<ConfigVersionRow | null> {
    return this.store.manager.findOne(ConfigVersionEntity, { where: { id } });
  }

  /** Newest first, without the text (a list people scan). */
  list(limit = 100): Promise<Array<Omit<ConfigVersionRow, 'yaml'>>> {
    return this.store.manager.find(ConfigVersionEntity, {
      select: ['id', 'author', 'createdAt', 'hash', 'planSummary', 'rollbackOf'],
      order: { id: 'DESC' },
      take: limit,
    });
  }

  async record(version: NewConfigVersion): Promise<ConfigVersionRow> {
    return this.store.transaction(async (manager) => {
      const inserted = await manager.insert(ConfigVersionEntity, { ...version });
      return { ...version, id: Number(inserted.identifiers[0]?.id) };
    });
  }

  /** A version whose file could not be written after all. */
  async remove(id: number): Promise<void> {
    await this.store.transaction((manager) => manager.delete(ConfigVersionEntity, { id }));
  }

  /**
   * A file the server loaded: kept as a version by `file` when its bytes are not the newest
   * version's (an edit made on disk, outside the studio). The studio records its own applies
   * before it reloads, so they are never counted twice.
   */
  async noteLoaded(text: string, now: number): Promise<ConfigVersionRow | null> {
    const hash = configHash(text);
    const latest = await this.latest();
    if (latest?.hash === hash) return null;
    return this.record({ author: 'file', createdAt: now, yaml: text, hash, planSummary: null, rollbackOf: null });
  }
}
