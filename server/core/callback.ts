import type { WhenNobodyOnDuty } from '../../config/primitives';
import type { CallRow } from './rows';

/** The hot-lead callback: who is called in turn, how long it rings, and who hears when nobody answers. */
export interface CallbackSettings {
  /** Who is called, in order: `responsible`, `team`, or logins. */
  agents: string[];
  ring_timeout: number;
  whisper: string;
  /** Told on Telegram when nobody answered: `manager`, `responsible`, `team` or logins. */
  escalate_to: string[];
  task_due_in: string;
  /** When none of `agents` is on duty (the robot's setting, over the pipeline team's). */
  when_nobody_on_duty?: WhenNobodyOnDuty;
}

export type CallStart = { kind: 'calling'; call: CallRow } | { kind: 'already'; call: CallRow } | { kind: 'recorded'; detail: string } | { kind: 'nobody'; detail: string };
