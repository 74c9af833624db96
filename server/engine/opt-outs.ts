import { OptOutEntity } from '../db/entities';
import type { Engine } from './engine';

/** "STOP" and its Russian equivalents opt a client out of the channel they wrote on. */
const OPT_OUT_WORDS = new Set(['STOP', 'UNSUBSCRIBE', 'СТОП', 'ОТПИСАТЬСЯ', 'ОТПИСКА']);

export function isOptOutText(text: string): boolean {
  return OPT_OUT_WORDS.has(text.trim().replace(/[.!]+$/, '').toUpperCase());
}

export async function isOptedOut(engine: Engine, channel: string, address: string): Promise<boolean> {
  return (await engine.store.manager.count(OptOutEntity, { where: { channel, address } })) > 0;
}

export async function optOut(engine: Engine, channel: string, address: string, reason: string): Promise<void> {
  if (await isOptedOut(engine, channel, address)) return;
  await engine.store.transaction((manager) => manager.insert(OptOutEntity, { channel, address, reason, createdAt: engine.now() }));
}

