import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { CONFIG_LIMITS, readConfigBytes } from '../../config/loader';
import type { CompiledConfig } from '../core/compiled-config';

/** The config file as the studio and `robots config` read and write it: bytes kept exactly, written whole. */

/** The file's text as its bytes say, a byte-order mark and all, so a version put back is the same file byte for byte. */
export function readConfigText(file: string): string {
  return readConfigBytes(file, CONFIG_LIMITS.maxBytes).toString('utf8');
}

/**
 * Writes the whole file at once: a temporary file beside it, flushed, then renamed over it, so
 * the server's watcher (or a crash) never sees half a config.
 */
export function writeConfigAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = fs.openSync(temporary, 'w', 0o644);
  try {
    fs.writeSync(handle, text);
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** A unified diff of two versions of the file, as `git diff` shows it. */
export function configDiff(before: string, after: string, beforeName = 'running', afterName = 'edited'): string {
  return createTwoFilesPatch(beforeName, afterName, before, after, undefined, undefined, { context: 3 });
}

export interface TemplateChange {
  template: string;
  change: 'added' | 'removed' | 'changed';
  keys: string[];
}

/** Message templates added, removed or reworded (text, subject, html, channel or file name) in the config itself. */
export function templateChanges(current: CompiledConfig, next: CompiledConfig): TemplateChange[] {
  const before = current.source.templates;
  const after = next.source.templates;
  const changes: TemplateChange[] = [];
  for (const id of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[id] as Record<string, unknown> | undefined;
    const b = after[id] as Record<string, unknown> | undefined;
    if (!a && b) changes.push({ template: id, change: 'added', keys: [] });
    else if (a && !b) changes.push({ template: id, change: 'removed', keys: [] });
    else if (a && b) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
      if (keys.length > 0) changes.push({ template: id, change: 'changed', keys });
    }
  }
  return changes.sort((x, y) => x.template.localeCompare(y.template));
}
