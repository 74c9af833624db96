import { IsNull, Not } from 'typeorm';
import { CallEntity } from '../db/entities';
import type { Clock } from '../core/clock';
import type { Store } from '../db/store';
import type { Sweep } from '../pipeline/scheduler';
import type { CallChain } from '../voice/call-chain';

export interface UnansweredCallsDeps {
  store: Store;
  clock: Clock;
  voice: Pick<CallChain, 'settingsOfRun' | 'onCallStatus'>;
}

/**
 * A call Twilio never reported back on is treated as unanswered once its ring time (plus a
 * grace minute) is over, so a lost callback cannot stall the chain. The scheduler sweeps
 * with it every 15 seconds; it is idempotent.
 */
async function expireUnansweredCalls(deps: UnansweredCallsDeps): Promise<number> {
  const now = deps.clock.now();
  const open = await deps.store.manager.find(CallEntity, { where: { endedAt: IsNull(), answeredAt: IsNull(), providerSid: Not(IsNull()) }, take: 50 });
  let expired = 0;
  for (const call of open) {
    const settings = await deps.voice.settingsOfRun(call.runId);
    if (now - call.startedAt < (settings.ring_timeout + 60) * 1000) continue;
    await deps.voice.onCallStatus(call.id, 'no-answer', {});
    expired++;
  }
  return expired;
}

/** The scheduler's sweep for calls whose status never came back. */
export function unansweredCallsSweep(deps: UnansweredCallsDeps): Sweep {
  return { name: 'unanswered calls', everyMs: 15_000, run: () => expireUnansweredCalls(deps) };
}
