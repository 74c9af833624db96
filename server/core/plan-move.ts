import { pipelineOf, type CompiledConfig } from './compiled-config';
import type { StageSpec } from '../../config/schema';
import { MoveRefusedError } from './errors';
import { missingFields, type Item } from './items';

export interface MoveOptions {
  actor: string;
  reason?: string;
  refusedBy?: string;
  /** How many robot-caused moves led here (semantics 7). People and triggers start at 0. */
  causalDepth?: number;
  /** The stage the mover saw: a move from a stage the item has left meanwhile is refused (409). */
  fromStage?: string;
  /** Kept on the stage entry; the timeline shows it. */
  comment?: string;
  /**
   * A person moving the item by hand (the API's `user:<login>` with their role). Robots, triggers
   * and the engine leave it out: the stage's guard rails (`manual`, `move_roles`, leaving a won
   * stage) are about people.
   */
  mover?: { login: string; role: string };
  /** The item has entered this stage before: a stage with `on_reenter: skip` then schedules no robot. */
  reentry?: boolean;
  /** When the item last entered this stage before (looked up only for a stage whose robots' `reenter:` may skip). */
  previousEntryAt?: number | null;
}

export interface PlannedMove {
  stage: StageSpec;
  reason: string | null;
  refusedBy: string | null;
  /** The robots this entry schedules: the stage's, or none when it is re-entered with `on_reenter: skip`. */
  robots: StageSpec['robots'];
}

/** Who may move an item back out of a won stage by hand when the stage does not say. */
export const DEFAULT_REOPEN_ROLES: readonly string[] = ['ops', 'admin'];

/**
 * A person's move against the stages' guard rails: a stage only robots enter (`manual: false`),
 * a stage only some roles enter (`move_roles`), and a won item taken back out (a converted lead
 * is counted as won: only `reopen_roles`, default ops and admin, with a comment saying why).
 */
function checkGuardRails(from: StageSpec | undefined, to: StageSpec, mover: { login: string; role: string }, comment: string | undefined): void {
  if (!to.manual) {
    throw new MoveRefusedError(`stage "${to.id}" is entered by robots only (manual: false); ${mover.login} may not move an item there by hand`, { code: 'manual_not_allowed' });
  }
  if (to.move_roles && !to.move_roles.includes(mover.role as never)) {
    throw new MoveRefusedError(`stage "${to.id}" is entered by hand by ${to.move_roles.join(', ')} only, not by the ${mover.role} role`, { code: 'role_not_allowed' });
  }
  if (from?.semantic === 'won' && from.id !== to.id) {
    const allowed = from.reopen_roles ?? DEFAULT_REOPEN_ROLES;
    if (!allowed.includes(mover.role)) {
      throw new MoveRefusedError(`"${from.id}" is won: only ${allowed.join(', ')} may move an item back out of it, not the ${mover.role} role`, { code: 'reopen_not_allowed' });
    }
    if (!comment || comment.trim() === '') {
      throw new MoveRefusedError(`"${from.id}" is won: moving an item back out of it needs a comment saying why`, { code: 'reopen_comment_required' });
    }
  }
}

/** Pure: may this item enter that stage, and which robots does the entry schedule? Throws the refusal users see (422, or 403 for a guard rail). */
export function planMove(config: CompiledConfig, item: Item, toStage: string, options: MoveOptions): PlannedMove {
  const pipeline = pipelineOf(config, item.pipeline);
  const stage = pipeline?.stages.find((candidate) => candidate.id === toStage);
  if (!pipeline || !stage) {
    const known = pipeline?.stages.map((candidate) => candidate.id).join(', ') ?? '';
    throw new MoveRefusedError(`unknown stage "${toStage}" in ${item.kind === 'lead' ? 'lead statuses' : `pipeline "${item.pipeline}"`} (known: ${known})`, {
      code: 'unknown_stage',
    });
  }
  if (options.mover)
    checkGuardRails(
      pipeline.stages.find((candidate) => candidate.id === item.row.stage),
      stage,
      options.mover,
      options.comment,
    );
  const robots = options.reentry && stage.on_reenter === 'skip' ? [] : stage.robots;
  const depth = options.causalDepth ?? 0;
  if (depth > config.source.engine.max_causal_depth) {
    throw new MoveRefusedError(`loop guard: ${depth} robot-caused moves in a row exceed engine.max_causal_depth (${config.source.engine.max_causal_depth})`, {
      code: 'loop_guard',
    });
  }
  const missing = missingFields(stage.required, item);
  if (missing.length > 0) {
    throw new MoveRefusedError(`stage "${stage.id}" requires ${missing.join(', ')}`, { code: 'required_fields', missingFields: missing });
  }
  if (stage.semantic === 'lost') {
    const reasons = stage.reasons ?? [];
    const reason = reasons.find((candidate) => candidate.id === options.reason);
    if (!reason) {
      throw new MoveRefusedError(options.reason ? `"${options.reason}" is not a reason allowed in stage "${stage.id}"` : `stage "${stage.id}" needs a reason`, {
        code: 'reason_required',
        allowedReasons: reasons.map((candidate) => candidate.id),
      });
    }
    if (options.refusedBy && options.refusedBy !== reason.refused_by) {
      throw new MoveRefusedError(`reason "${reason.id}" means ${reason.refused_by}, not ${options.refusedBy}`, {
        code: 'refused_by_mismatch',
        allowedReasons: reasons.map((candidate) => candidate.id),
      });
    }
    return { stage, reason: reason.id, refusedBy: reason.refused_by, robots };
  }
  return { stage, reason: options.reason ?? null, refusedBy: null, robots };
}
