import { OptOutEntity } from '../db/entities';
import type { Engine } from './engine';

/** "STOP" and its Russian equivalents opt a client out of the channel they wrote on. */
const OPT_OUT_WORDS = new Set(['STOP', 'UNSUBSCRIBE', 'СТОП', 'ОТПИСАТЬСЯ', 'ОТПИСКА']);

/** The word alone on the first line counts: an email reply carries the quoted original below it. */
export function isOptOutText(text: string): boolean {
  const firstLine = text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '') ?? '';
  return OPT_OUT_WORDS.has(firstLine.replace(/[.!]+$/, '').toUpperCase());
}

export async function isOptedOut(engine: Engine, channel: string, address: string): Promise<boolean> {
  return (await engine.store.manager.count(OptOutEntity, { where: { channel, address } })) > 0;
}

export async function optOut(engine: Engine, channel: string, address: string, reason: string): Promise<void> {
  if (await isOptedOut(engine, channel, address)) return;
  await engine.store.transaction((manager) => manager.insert(OptOutEntity, { channel, address, reason, createdAt: engine.now() }));
}

