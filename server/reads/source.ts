import type { EntityManager } from 'typeorm';

/**
 * Where a read runs: the store, or anything that has its `manager`. Routes hold one only to
 * hand it to the functions of this folder; nothing here writes.
 */
export interface ReadSource {
  readonly manager: EntityManager;
}
