import type { RobotSpec } from '../../config/schema';
import type { ChannelRegistry } from '../channels/channel';
import type { CallbackSettings } from '../core/callback';
import type { Clock } from '../core/clock';
import type { ItemRef } from '../core/items';
import type { LiveConfig } from '../core/live-config';
import type { CallRow } from '../core/rows';
import type { Store } from '../db/store';
import type { Messaging } from '../messaging/messaging';
import type { RunQueue } from '../pipeline/queue';
import type { Records } from '../records/records';

/** What the call chain works with, and the two things every step of it does. */

/** Where the auto_callback robot's settings come from: its params are the robot's own (robots/auto-callback.ts). */
export interface CallbackSettingsSource {
  /** The settings of an auto_callback robot as written, or undefined for any other robot. */
  of(robot: RobotSpec): CallbackSettings | undefined;
  /** For a call placed without a robot ("Call now" under an alert). */
  defaults: CallbackSettings;
}

export interface VoiceDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  records: Records;
  messaging: Messaging;
  channels: ChannelRegistry;
  /** Which stage entry and robot a run belongs to (reads of the queue). */
  queue: Pick<RunQueue, 'entryOf' | 'robotIdOf'>;
  callbackSettings: CallbackSettingsSource;
  /** A call answered or missed is an event triggers and scoring hear (inbound). */
  reportCall(event: { type: 'call'; item: ItemRef; actor: string; payload: Record<string, unknown> }): Promise<unknown>;
}

export async function recordProgress(deps: VoiceDeps, call: CallRow, status: string, outcome: string): Promise<void> {
  await deps.records.recordEvent({
    type: 'call_progress',
    entity: { kind: call.entityType, id: call.entityId },
    actor: 'channel:voice',
    payload: { call_id: call.id, agent: call.agentLogin, attempt: call.attempt, status },
    outcome,
  });
}

/** The settings of the auto_callback robot whose run placed a call, as the config now says. */
export async function callbackSettingsOfRun(deps: VoiceDeps, runId: number | null): Promise<CallbackSettings> {
  const robotId = runId === null ? null : await deps.queue.robotIdOf(runId);
  const robot = robotId ? deps.config.current.robots.get(robotId)?.robot : undefined;
  return (robot && deps.callbackSettings.of(robot)) ?? deps.callbackSettings.defaults;
}
