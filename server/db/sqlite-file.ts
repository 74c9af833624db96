import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';

/**
 * A SQLite database is a file people can delete, move or restore over. The server keeps the file
 * it opened; if the path now names another file, or none, every write would go to an unlinked
 * file and be lost at the next restart. So the open file is watched (device + inode), and an
 * install leaves a marker beside it: a restart that finds the marker but not the database refuses
 * to begin empty.
 */
/** The marker of the install whose database is `file`, beside it (one per database file). */
export function installMarker(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.robots-install`);
}

interface Identity {
  dev: number;
  ino: number;
}

function identityOf(file: string): Identity | null {
  try {
    const stat = fs.statSync(file);
    return { dev: stat.dev, ino: stat.ino };
  } catch {
    return null;
  }
}

export class DatabaseMissingError extends Error {}

/**
 * Before opening `file`: an install whose database is gone is not a new install. Refused unless
 * `init` says beginning empty is meant (`robots serve --init`).
 */
export function refuseMissingDatabase(file: string, init: boolean): void {
  const marker = installMarker(file);
  // The marker first: it is written after the file, so a twin starting meanwhile finds the file too.
  if (init || !fs.existsSync(marker) || fs.existsSync(file)) return;
  throw new DatabaseMissingError(`the database ${file} is missing, but ${marker} says an install was here: restore the file from a backup (robots restore), or start with --init to begin with an empty database`);
}

/** Leaves the install's marker beside its database file (created once, kept). */
export function markInstall(file: string): void {
  const marker = installMarker(file);
  if (!fs.existsSync(marker)) fs.writeFileSync(marker, `robots install; database ${path.basename(file)}; created ${new Date().toISOString()}\n`);
}

/** Watches that the path still names the file this process opened. */
export class SqliteFileWatch {
  private readonly opened: Identity | null;

  constructor(private readonly file: string) {
    this.opened = identityOf(file);
  }

  /** What is wrong with the file now, or null; a stat each call (once a group commit, and on /healthz). */
  check(): string | null {
    const now = identityOf(this.file);
    if (this.opened === null) return null;
    if (now === null) return `the database file ${this.file} is gone (deleted or moved while the server ran): writes are refused so nothing goes to a file no one will open again`;
    if (now.dev !== this.opened.dev || now.ino !== this.opened.ino) return `the database file ${this.file} was replaced while the server ran: restart the server to use the new one`;
    return null;
  }
}

const watches = new WeakMap<DataSource, SqliteFileWatch>();

export function watchSqliteFile(dataSource: DataSource, file: string): SqliteFileWatch {
  const watch = new SqliteFileWatch(file);
  watches.set(dataSource, watch);
  return watch;
}

export function sqliteFileWatchOf(dataSource: DataSource): SqliteFileWatch | undefined {
  return watches.get(dataSource);
}
