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
}

export interface PlannedMove {
  stage: StageSpec;
  reason: string | null;
  refusedBy: string | null;
}

/** Pure: may this item enter that stage? Throws the refusal users see as a 422. */
export function planMove(config: CompiledConfig, item: Item, toStage: string, options: MoveOptions): PlannedMove {
  const pipeline = pipelineOf(config, item.pipeline);
  const stage = pipeline?.stages.find((candidate) => candidate.id === toStage);
  if (!pipeline || !stage) {
    const known = pipeline?.stages.map((candidate) => candidate.id).join(', ') ?? '';
    throw new MoveRefusedError(`unknown stage "${toStage}" in ${item.kind === 'lead' ? 'lead statuses' : `pipeline "${item.pipeline}"`} (known: ${known})`, {
      code: 'unknown_stage',
    });
  }
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
    return { stage, reason: reason.id, refusedBy: reason.refused_by };
  }
  return { stage, reason: options.reason ?? null, refusedBy: null };
}
