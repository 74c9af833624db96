import type { Kind } from '../../api/types';

/**
 * One entry of `GET /api/{kind}s/:id/timeline` (server/reports/timeline.ts). `text` is the
 * server's sentence in the config's locale; `type` (what happened, for machines), `code` and
 * `params` (why a robot run ended as it did: `skipped.not_repeat_client`) let the page say it in
 * the reader's own language. The rest is the engine's detail, shown to ops and admins on "more".
 */
export interface TimelineEntry {
  at: string;
  at_text?: string;
  kind: 'stage' | 'run' | 'message' | 'event' | 'task' | 'call' | 'comment' | string;
  type?: string;
  code?: string | null;
  params?: Record<string, string | number | null> | null;
  summary?: string;
  text?: string;
  [detail: string]: unknown;
}

export interface TimelineResponse {
  timeline: TimelineEntry[];
}

/** A task as `GET /api/tasks` shows it (server/http/routes/tasks.ts taskView). */
export interface TaskView {
  id: number;
  /** `lead:12` */
  item: string;
  item_name: string;
  title: string;
  assignee: string | null;
  status: 'open' | 'done';
  overdue: boolean;
  due_at: string | null;
  completed_at: string | null;
  completed_by: string | null;
  created_at: string | null;
}

export interface TaskListResponse {
  tasks: TaskView[];
  total: number;
}

export type CallDirection = 'outbound' | 'inbound';
export type CallOutcome = 'answered' | 'no_answer' | 'busy' | 'voicemail';

/** `lead:12` → the item's kind and id. */
export function itemRefOf(ref: string): { kind: Kind; id: number } | null {
  const match = /^(lead|deal):(\d+)$/.exec(ref);
  if (!match) return null;
  return { kind: match[1] === 'deal' ? 'deal' : 'lead', id: Number(match[2]) };
}
