import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MIN_SECRET_BYTES } from '../core/secrets';

/**
 * The install's own secret called `name`: made on the first start and kept in the database, so
 * every process on it and every restart signs alike. Two processes starting together agree: the
 * first insert wins and both read what was kept.
 */
export async function installSecret(dataSource: DataSource, name: string): Promise<string> {
  const fresh = randomBytes(MIN_SECRET_BYTES).toString('base64url');
  await dataSource.createQueryBuilder().insert().into('install_secrets', ['name', 'value']).values({ name, value: fresh }).orIgnore().execute();
  const rows: Array<{ value: string }> = await dataSource.createQueryBuilder().select('value').from('install_secrets', 's').where('s.name = :name', { name }).getRawMany();
  if (!rows[0]) throw new Error(`the install secret "${name}" could not be kept`);
  return rows[0].value;
}

/** A fresh secret for an environment variable (`robots secret`). */
export function newSecret(): string {
  return randomBytes(MIN_SECRET_BYTES).toString('base64url');
}
