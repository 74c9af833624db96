import type { CompiledConfig } from './compiled-config';
import { evaluateCondition } from './conditions';
import type { EvaluationContext } from './context';
import type { Item } from './items';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ScoreChange {
  from: number;
  to: number;
  points: number;
  decayed: number;
  tags: string[];
  rules: number[];
}

/**
 * Lead scoring, pure: the points an event is worth by the `scoring:` rules, after the
 * score has decayed for the days since it last changed. Null when no rule scores the event.
 */
export function scoreEvent(config: CompiledConfig, item: Item, eventType: string, context: EvaluationContext, now: number): ScoreChange | null {
  const scoring = config.source.scoring;
  const matching = scoring.rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => rule.event === eventType && evaluateCondition(rule.condition, context));
  if (matching.length === 0) return null;
  const from = item.row.score;
  const days = item.row.scoredAt === null ? 0 : Math.floor((now - item.row.scoredAt) / DAY_MS);
  const decayed = Math.min(from, Math.floor(days * scoring.decay_per_day));
  const points = matching.reduce((sum, { rule }) => sum + rule.points, 0);
  const tags = matching.map(({ rule }) => rule.tag).filter((tag): tag is string => tag !== undefined);
  return { from, to: Math.max(0, from - decayed + points), points, decayed, tags, rules: matching.map(({ index }) => index) };
}
