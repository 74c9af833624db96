import { IsNull, Not } from 'typeorm';
import { CallEntity } from '../db/entities';
import type { Engine } from '../engine/engine';
import type { Sweep } from '../pipeline/scheduler';
import { callbackSettingsOfRun, onCallStatus } from '../voice/call-chain';

/**
 * A call Twilio never reported back on is treated as unanswered once its ring time (plus a
 * grace minute) is over, so a lost callback cannot stall the chain. The scheduler sweeps
 * with it every 15 seconds; it is idempotent.
 */
export async function expireUnansweredCalls(engine: Engine): Promise<number> {
  const now = engine.now();
  const open = await engine.store.manager.find(CallEntity, { where: { endedAt: IsNull(), answeredAt: IsNull(), providerSid: Not(IsNull()) }, take: 50 });
  let expired = 0;
  for (const call of open) {
    const settings = await callbackSettingsOfRun(engine, call.runId);
    if (now - call.startedAt < (settings.ring_timeout + 60) * 1000) continue;
    await onCallStatus(engine, call.id, 'no-answer', {});
    expired++;
  }
  return expired;
}

/** The scheduler's sweep for calls whose status never came back. */
export function unansweredCallsSweep(engine: Engine): Sweep {
  return { name: 'unanswered calls', everyMs: 15_000, run: () => expireUnansweredCalls(engine) };
}
