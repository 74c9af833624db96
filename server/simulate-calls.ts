import { z } from 'zod';
import { parseDuration } from '../config/duration';
import { Duration } from '../config/schema';
import { VoiceChannel, type CallRequest } from './channels/voice';
import type { Clock } from './core/clock';
import type { CallReport } from './voice/call-chain';

/** How a scripted agent answers a callback's call: picks up and talks, or lets it ring out, or is busy. */
export const CallAnswer = z.strictObject({
  status: z.enum(['answered', 'no-answer', 'busy', 'failed']).describe('What the provider reports for this call'),
  after: Duration.optional().describe('How long it rings first (default: the ring timeout for no-answer, 5s otherwise)'),
  talk: Duration.default('2m').describe('How long an answered call lasts'),
});
export type CallAnswer = z.output<typeof CallAnswer>;

/** A status the pretend provider reports for a call at a moment of the fake clock. */
interface ScheduledReport {
  at: number;
  callId: number;
  status: string;
  params: CallReport;
}

const FAKE_ACCOUNT = `AC${'0'.repeat(32)}`;

/**
 * The voice provider of a rehearsal: no call leaves, each call placed is answered as the scenario
 * scripts it, in order (no-answer after the list), and its statuses come back at the fake times
 * they would, so the whole auto-callback chain — the next agent, the manager's alert, the task —
 * plays out on the simulated timeline.
 */
export class RehearsedVoice extends VoiceChannel {
  private readonly answers: CallAnswer[];
  private readonly reports: ScheduledReport[] = [];

  constructor(
    answers: CallAnswer[],
    private readonly clock: Clock,
  ) {
    super({ accountSid: FAKE_ACCOUNT, authToken: 'simulated', from: '+70000000000' });
    this.answers = [...answers];
  }

  override async call(request: CallRequest): Promise<string> {
    const callId = Number(/[?&]call=(\d+)/.exec(request.statusCallbackUrl)?.[1]);
    const answer = this.answers.shift() ?? { status: 'no-answer' as const, talk: '2m' };
    const ringMs = answer.after !== undefined ? (parseDuration(answer.after)?.toMillis() ?? 0) : answer.status === 'no-answer' ? request.ringTimeoutSeconds * 1000 : 5000;
    const pickedUp = this.clock.now() + ringMs;
    if (answer.status === 'answered') {
      const talkMs = parseDuration(answer.talk)?.toMillis() ?? 0;
      this.reports.push({ at: pickedUp, callId, status: 'answered', params: {} }, { at: pickedUp + talkMs, callId, status: 'completed', params: { CallDuration: String(Math.round(talkMs / 1000)) } });
    } else {
      this.reports.push({ at: pickedUp, callId, status: answer.status, params: {} });
    }
    return `CAsimulated${callId}`;
  }

  /** When the next scripted status comes back; null when none is due. */
  nextReportAt(): number | null {
    return this.reports.length ? Math.min(...this.reports.map((report) => report.at)) : null;
  }

  /** The statuses due by now, in time order, taken off the list. */
  takeDue(now: number): ScheduledReport[] {
    const due = this.reports.filter((report) => report.at <= now).sort((a, b) => a.at - b.at);
    for (const report of due) this.reports.splice(this.reports.indexOf(report), 1);
    return due;
  }
}
