import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_LIMITS, sizeText } from './limits';
import { say, type Said } from './messages';

type FileProblem = { line: number; col: number; said: Said; missing?: boolean };

/**
 * A text file read whole but never more than `maxBytes` (a pipe or /dev/zero ends too), decoded
 * as strict UTF-8. Positions are 1-based; columns count UTF-16 units like the rest of the loader.
 */
export function readTextFile(file: string, maxBytes = CONFIG_LIMITS.maxBytes): { ok: true; text: string } | { ok: false; problem: FileProblem } {
  let bytes: Buffer;
  try {
    bytes = readConfigBytes(file, maxBytes);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, problem: { line: 1, col: 1, said: say('file_unreadable', { reason: (error as Error).message }), missing } };
  }
  if (bytes.length > maxBytes) return { ok: false, problem: { line: 1, col: 1, said: say('file_too_big', { size: sizeText(maxBytes) }) } };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      return { ok: false, problem: { line: 1, col: 1, said: say('file_utf16') } };
    }
    const offset = Math.max(0, firstInvalidUtf8(bytes));
    const byte = `0x${(bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    return { ok: false, problem: { ...positionInBytes(bytes, offset), said: say('file_not_utf8', { byte }) } };
  }
}

/** At most `maxBytes + 1` bytes of a file: one more than allowed is enough to refuse it. */
export function readConfigBytes(file: string, maxBytes = CONFIG_LIMITS.maxBytes): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!; // at < bytes.length
    if (lead < 0x80) {
      at += 1;
      continue;
    }
    // [continuation bytes, range of the first one]: the ranges rule out overlong forms, surrogates and > U+10FFFF.
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) need = 1;
    else if (lead === 0xe0) [need, low] = [2, 0xa0];
    else if (lead === 0xed) [need, high] = [2, 0x9f];
    else if (lead >= 0xe1 && lead <= 0xef) need = 2;
    else if (lead === 0xf0) [need, low] = [3, 0x90];
    else if (lead === 0xf4) [need, high] = [3, 0x8f];
    else if (lead >= 0xf1 && lead <= 0xf3) need = 3;
    else return at;
    if (at + need >= bytes.length) return at;
    // A byte past the end (there is none: checked above) would count as invalid.
    const second = bytes[at + 1] ?? -1;
    if (second < low || second > high) return at;
    for (let next = 2; next <= need; next += 1) if (((bytes[at + next] ?? 0) & 0xc0) !== 0x80) return at;
    at += need + 1;
  }
  return -1;
}

function positionInBytes(bytes: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < offset; at = bytes.indexOf(0x0a, at + 1)) {
    line += 1;
    start = at + 1;
  }
  // Everything before the first bad byte is valid UTF-8; a byte-order mark takes no column.
  const before = bytes.subarray(start, offset).toString('utf8');
  return { line, col: before.length + 1 - (line === 1 && before.startsWith('\uFEFF') ? 1 : 0) };
}

export { tooBig } from './limits';

/** A config file as issues name it: relative to where the command runs. */
export function displayNameOf(file: string): string {
  return path.relative(process.cwd(), file) || file;
}
