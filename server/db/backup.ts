import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import type { DataSource } from 'typeorm';
import { sqliteFile, type DatabaseOptions } from './data-source';

/**
 * A consistent copy of a SQLite database while the server runs: VACUUM INTO writes the
 * database as one transaction sees it, compacted, without stopping writers for long.
 */
export async function backupDatabase(dataSource: DataSource, file: string): Promise<string> {
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new Error(`${file} exists: a backup never overwrites a file`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await dataSource.query('VACUUM INTO ?', [target]);
  return `backed up to ${file} (${fs.statSync(target).size} bytes)`;
}

/**
 * Puts `backup` in place of the database file, with the server stopped: the backup is checked to
 * be a database of ours first (its migrations table), copied beside the target and renamed over
 * it in one step, and the old file's WAL is removed so SQLite does not replay it onto the backup.
 */
export async function restoreDatabase(backup: string, options: DatabaseOptions): Promise<string> {
  const target = path.resolve(sqliteFile(options));
  const migrations = await migrationsIn(backup);
  const staging = `${target}.restoring`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(backup, staging);
  for (const leftover of [`${target}-wal`, `${target}-shm`]) fs.rmSync(leftover, { force: true });
  fs.renameSync(staging, target);
  return `restored ${backup} to ${target} (${migrations} migrations applied in it); start the server`;
}

function migrationsIn(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const database = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
      if (error) return reject(new Error(`${file} is not a SQLite database: ${error.message}`));
      database.get('SELECT COUNT(*) AS count FROM migrations', (queryError: Error | null, row?: { count: number }) => {
        database.close();
        if (queryError || !row) reject(new Error(`${file} is not a Robots database (no migrations table)`));
        else resolve(row.count);
      });
    });
  });
}
