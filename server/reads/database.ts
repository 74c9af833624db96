import type { ReadSource } from './source';

/** The cheapest question the database can answer: is it there at all (GET /healthz). */
export async function pingDatabase(source: ReadSource): Promise<void> {
  await source.manager.query('SELECT 1');
}
