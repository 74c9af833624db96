/**
 * Why a robot run ended as it did, as a stable code beside the English `detail` ops read: the
 * web app translates the code (with its `params`) instead of showing engine text. The first
 * word is the run's status; the codes are a closed list so a typo in a robot does not compile.
 */
export const RUN_REASON_CODES = [
  // done: what the robot did
  'done.sent',
  'done.task_created',
  'done.moved',
  'done.already_there',
  'done.deal_created',
  'done.deal_exists',
  'done.assigned',
  'done.fields_set',
  'done.calling',
  'done.call_recorded',
  'done.repeat_client',
  'done.condition_met',
  'done.wait_timed_out',
  'done.branch_chosen',
  'done.variant_chosen',
  'done.webhook',
  'done.ok',
  // skipped: it looked and had nothing to do
  'skipped.condition_false',
  'skipped.too_late',
  'skipped.not_repeat_client',
  'skipped.nobody_to_notify',
  'skipped.no_text',
  'skipped.no_address',
  'skipped.opted_out',
  'skipped.already_assigned',
  'skipped.no_team',
  'skipped.team_empty',
  'skipped.wrong_item_kind',
  'skipped.no_linked_item',
  'skipped.no_phone',
  'skipped.loop_guard',
  'skipped.not_reentered',
  // cancelled: it did not run, and why
  'cancelled.left_stage',
  'cancelled.client_replied',
  'cancelled.goal_reached',
  'cancelled.robot_removed',
  'cancelled.predecessor_cancelled',
  'cancelled.predecessor_removed',
  'cancelled.not_chosen',
  'cancelled.item_gone',
  'cancelled.taken',
  'cancelled.wait_timed_out',
  'cancelled.field_cleared',
  // failed (retrying) or dead (given up)
  'failed.channel_error',
  'failed.gave_up',
  'failed.permanent',
  'failed.move_refused',
  'failed.invalid',
  'failed.condition_error',
  'failed.no_robot_type',
  // unknown: a send whose outcome nobody knows
  'unknown.outcome_unknown',
  'unknown.worker_stopped',
  // still to come
  'scheduled.waiting',
  'scheduled.due',
  'scheduled.deferred',
  'scheduled.retried',
  'scheduled.reclaimed',
  'scheduled.waiting_for_field',
  'scheduled.field_moved',
  'running.started',
] as const;

export type RunReasonCode = (typeof RUN_REASON_CODES)[number];

/** Values a translation fills in: stage ids, logins, robot ids, counts; never prose. */
export type RunReasonParams = Record<string, string | number | boolean | null | string[] | undefined>;

/** A code with its params, written with the run's English `detail`. */
export interface RunReason {
  code: RunReasonCode;
  params?: RunReasonParams;
}

/** A status's code when the robot gave none: `done.ok`, or what the status itself means. */
export function defaultReasonCode(status: 'scheduled' | 'running' | 'done' | 'skipped' | 'cancelled' | 'failed' | 'dead' | 'unknown'): RunReasonCode {
  switch (status) {
    case 'done':
      return 'done.ok';
    case 'skipped':
      return 'skipped.condition_false';
    case 'cancelled':
      return 'cancelled.robot_removed';
    case 'failed':
      return 'failed.channel_error';
    case 'dead':
      return 'failed.gave_up';
    case 'unknown':
      return 'unknown.outcome_unknown';
    case 'running':
      return 'running.started';
    case 'scheduled':
      return 'scheduled.due';
  }
}
