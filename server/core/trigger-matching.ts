import { stageIndex, triggersFor, type CompiledConfig, type TriggerEvent, type TriggerPlacement } from './compiled-config';
import { evaluateCondition } from './conditions';
import type { EvaluationContext } from './context';
import type { Item } from './items';

export type TriggerDecision = { kind: 'move'; placement: TriggerPlacement } | { kind: 'ignored'; placement: TriggerPlacement; reason: string } | { kind: 'none'; reason: string };

/**
 * Which trigger moves the item, pure. Only the triggers listening to this event type in the
 * item's pipeline are looked at (an index, not a scan). The furthest forward match wins; a
 * trigger moves an item backwards only with `allow_backwards`, and an item already at or past
 * the target is left alone with the reason recorded.
 */
export function chooseTrigger(config: CompiledConfig, item: Item, event: TriggerEvent, context: EvaluationContext): TriggerDecision {
  const candidates = triggersFor(config, event.type, item.pipeline);
  if (candidates.length === 0) return { kind: 'none', reason: `no ${event.type} trigger in ${item.kind === 'lead' ? 'lead statuses' : `pipeline "${item.pipeline}"`}` };
  const current = stageIndex(config, item.pipeline, item.row.stage);
  const misses: string[] = [];
  const matched: TriggerPlacement[] = [];
  for (const placement of candidates) {
    const verdict = placement.matches(event);
    if (verdict !== true) {
      misses.push(`${placement.trigger.id}: ${verdict}`);
      continue;
    }
    if (!evaluateCondition(placement.trigger.condition, context)) {
      misses.push(`${placement.trigger.id}: condition was false`);
      continue;
    }
    matched.push(placement);
  }
  const [first] = matched;
  if (first === undefined) return { kind: 'none', reason: misses.join('; ') };
  const [furthestForward] = matched.filter((placement) => placement.stageIndex > current).sort((a, b) => b.stageIndex - a.stageIndex);
  if (furthestForward) return { kind: 'move', placement: furthestForward };
  // A falling score says how far back the item goes (below 30 beats below 50): the furthest back wins.
  const [furthestBack] = matched.filter((placement) => placement.stageIndex < current && placement.movesBack).sort((a, b) => a.stageIndex - b.stageIndex);
  if (furthestBack) return { kind: 'move', placement: furthestBack };
  const [nearestBack] = matched.filter((placement) => placement.stageIndex < current && placement.trigger.allow_backwards).sort((a, b) => b.stageIndex - a.stageIndex);
  if (nearestBack) return { kind: 'move', placement: nearestBack };
  const reason = first.stageIndex === current ? `already in "${first.stage}"` : `already past "${first.stage}" (in "${item.row.stage}"); the trigger does not allow moving backwards`;
  return { kind: 'ignored', placement: first, reason };
}
