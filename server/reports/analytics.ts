import { parseDuration } from '../../config/duration';
import { pipelineOf, type CompiledConfig } from '../core/compiled-config';
import { DealEntity, ItemVariantEntity, LeadEntity, StageEntryEntity } from '../db/entities';
import type { ReadSource } from '../reads/source';

/**
 * The funnel figures seeds 000 and 001 ask for: conversion from stage to stage, time in
 * stage, items stuck, lost reasons split by who refused whom, and results per source and
 * per manager. SQL gathers rows; the shaping below is pure.
 */
export interface FunnelRows {
  /** Stage entries by where they came from: every entry counts (a lead bounced back and forth twice counts twice). */
  transitions: Array<{ from_stage: string | null; stage: string; count: number }>;
  /** Which item made which move, each once: conversion counts items, not entries. */
  paths: Array<{ entity_id: number; from_stage: string | null; stage: string }>;
  durations: Array<{ stage: string; ms: number }>;
  lost: Array<{ stage: string; reason: string | null; refused_by: string | null; count: number }>;
  items: Array<{ stage: string; source: string | null; responsible: string | null; entered_stage_at: number }>;
  /** Items an A/B split chose a variant for: where each stands now and how many messages the client sent. */
  variants: Array<{ split: string; variant: string; stage: string; replies: number }>;
}

const median = (values: number[]): number | null => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle];
  if (upper === undefined) return null;
  if (sorted.length % 2) return upper;
  // An even count of at least two: the one below the middle is there too.
  const lower = sorted[middle - 1] ?? upper;
  return (lower + upper) / 2;
};
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / 3600000) * 10) / 10);
const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/**
 * What a source is called where it comes from: the forms and named webhooks that set it (their
 * `name`, else their id), or the source itself (utm_source, typed by a person).
 */
function sourceLabels(config: CompiledConfig): Map<string, string> {
  const names = new Map<string, string[]>();
  const add = (source: string | undefined, name: string) => source && names.set(source, [...(names.get(source) ?? []), name]);
  for (const [id, form] of Object.entries(config.source.forms)) add(form.source, form.name ?? id);
  for (const [id, hook] of Object.entries(config.source.hooks)) add(hook.source, id);
  return new Map([...names].map(([source, labels]) => [source, [...new Set(labels)].join(', ')]));
}

/**
 * The funnel report: ids for machines with names beside them for people (stages, users, sources,
 * reasons). `userNames` are the names of users the config does not list (added by the CLI or API).
 * Win rate is won ÷ (won + lost), the items decided; open items are counted apart, not as losses.
 */
export function funnelReport(config: CompiledConfig, pipelineKey: string, rows: FunnelRows, now: number, userNames: ReadonlyMap<string, string> = new Map()) {
  const pipeline = pipelineOf(config, pipelineKey);
  if (!pipeline) throw new Error(`unknown pipeline ${pipelineKey}`);
  const semanticOf = new Map(pipeline.stages.map((stage) => [stage.id, stage.semantic]));
  const stageName = (id: string) => pipeline.stages.find((stage) => stage.id === id)?.name ?? id;
  const userName = (login: string) => config.users.get(login)?.name ?? userNames.get(login) ?? login;
  const labels = sourceLabels(config);
  const stageIndex = new Map(pipeline.stages.map((stage, index) => [stage.id, index]));
  // Entries, as recorded: the second figure.
  const entries = new Map<string, number>();
  const entriesLeftTo = new Map<string, Map<string, number>>();
  for (const transition of rows.transitions) {
    entries.set(transition.stage, (entries.get(transition.stage) ?? 0) + transition.count);
    if (transition.from_stage) {
      const targets = entriesLeftTo.get(transition.from_stage) ?? new Map<string, number>();
      targets.set(transition.stage, (targets.get(transition.stage) ?? 0) + transition.count);
      entriesLeftTo.set(transition.from_stage, targets);
    }
  }
  // Distinct items: who entered a stage, who left it for which stage, who left it for any later one.
  const enteredBy = new Map<string, Set<number>>();
  const movedBy = new Map<string, Map<string, Set<number>>>();
  const forwardBy = new Map<string, Set<number>>();
  const add = <K>(map: Map<K, Set<number>>, key: K, id: number) => map.set(key, (map.get(key) ?? new Set<number>()).add(id));
  for (const path of rows.paths) {
    add(enteredBy, path.stage, path.entity_id);
    if (!path.from_stage) continue;
    const targets = movedBy.get(path.from_stage) ?? new Map<string, Set<number>>();
    movedBy.set(path.from_stage, add(targets, path.stage, path.entity_id));
    if ((stageIndex.get(path.stage) ?? -1) > (stageIndex.get(path.from_stage) ?? Number.MAX_SAFE_INTEGER)) add(forwardBy, path.from_stage, path.entity_id);
  }
  const stages = pipeline.stages.map((stage, index) => {
    const stageEntered = enteredBy.get(stage.id)?.size ?? 0;
    const stageEntries = entries.get(stage.id) ?? 0;
    const moves = new Map([...(movedBy.get(stage.id) ?? new Map<string, Set<number>>()).entries()].map(([target, ids]) => [target, ids.size]));
    const next = pipeline.stages[index + 1]?.id;
    const durations = rows.durations.filter((row) => row.stage === stage.id).map((row) => row.ms);
    const current = rows.items.filter((item) => item.stage === stage.id);
    const stuckAfter = stage.stuck_after ? (parseDuration(stage.stuck_after)?.toMillis() ?? null) : null;
    return {
      stage: stage.id,
      name: stage.name ?? stage.id,
      semantic: stage.semantic,
      entered: stageEntered,
      entries: stageEntries,
      current: current.length,
      moved_to: Object.fromEntries(moves),
      moved_to_names: Object.fromEntries([...moves.keys()].map((target) => [target, stageName(target)])),
      conversion_to_next: next ? percent(moves.get(next) ?? 0, stageEntered) : null,
      // Funnels branch (a hand-off skips "in work"): moving to any later stage counts as progress.
      conversion_forward: index < pipeline.stages.length - 1 ? percent(forwardBy.get(stage.id)?.size ?? 0, stageEntered) : null,
      conversion_to_next_by_entries: next ? percent(entriesLeftTo.get(stage.id)?.get(next) ?? 0, stageEntries) : null,
      hours_in_stage: { average: hours(durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null), median: hours(median(durations)) },
      stuck: stuckAfter === null ? null : current.filter((item) => now - item.entered_stage_at > stuckAfter).length,
    };
  });
  const reasonLabel = (stage: string, reason: string | null) =>
    reason === null ? null : (pipeline.stages.find((candidate) => candidate.id === stage)?.reasons?.find((candidate) => candidate.id === reason)?.label ?? reason);
  const lostReasons = rows.lost.map((row) => ({
    stage: row.stage,
    stage_name: stageName(row.stage),
    reason: row.reason,
    reason_label: reasonLabel(row.stage, row.reason),
    refused_by: row.refused_by,
    count: row.count,
  }));
  const outcome = (stage: string) => semanticOf.get(stage) ?? 'open';
  const tally = (items: FunnelRows['items']) => {
    const counts = { items: 0, won: 0, lost: 0, open: 0 };
    for (const item of items) {
      counts.items += 1;
      counts[outcome(item.stage)] += 1;
    }
    return { ...counts, decided: counts.won + counts.lost, win_rate: percent(counts.won, counts.won + counts.lost) };
  };
  const groupBy = (key: 'source' | 'responsible', nameOf: (value: string) => string) => {
    const groups = new Map<string | null, FunnelRows['items']>();
    for (const item of rows.items) groups.set(item[key], [...(groups.get(item[key]) ?? []), item]);
    return [...groups.entries()].map(([value, items]) => ({ [key]: value ?? '(none)', name: value === null ? null : nameOf(value), ...tally(items) })).sort((a, b) => b.items - a.items);
  };
  return {
    pipeline: pipelineKey,
    pipeline_name: pipeline.name,
    totals: tally(rows.items),
    stages,
    lost_reasons: lostReasons,
    refused_by: {
      we_refused: lostReasons.filter((row) => row.refused_by === 'we_refused').reduce((sum, row) => sum + row.count, 0),
      client_refused: lostReasons.filter((row) => row.refused_by === 'client_refused').reduce((sum, row) => sum + row.count, 0),
    },
    by_source: groupBy('source', (source) => labels.get(source) ?? source),
    by_manager: groupBy('responsible', userName),
    by_variant: byVariant(rows.variants, outcome),
  };
}

/**
 * An A/B split's result per variant: how many items got it, how many are won (conversion is won ÷
 * items that got it, decided or not, so a slow variant is not flattered) and how many replied.
 */
function byVariant(rows: FunnelRows['variants'], outcome: (stage: string) => 'open' | 'won' | 'lost') {
  const groups = new Map<string, { split: string; variant: string; items: number; won: number; lost: number; open: number; replied: number }>();
  for (const row of rows) {
    const key = `${row.split}/${row.variant}`;
    const group = groups.get(key) ?? { split: row.split, variant: row.variant, items: 0, won: 0, lost: 0, open: 0, replied: 0 };
    group.items += 1;
    group[outcome(row.stage)] += 1;
    if (row.replies > 0) group.replied += 1;
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => a.split.localeCompare(b.split) || a.variant.localeCompare(b.variant))
    .map((group) => ({ ...group, conversion: percent(group.won, group.items), reply_rate: percent(group.replied, group.items) }));
}

export async function loadFunnelRows(store: ReadSource, config: CompiledConfig, pipelineKey: string, since: number, until: number): Promise<FunnelRows> {
  const manager = store.manager;
  const pipeline = pipelineOf(config, pipelineKey);
  const lostStages = pipeline?.stages.filter((stage) => stage.semantic === 'lost').map((stage) => stage.id) ?? [];
  const window = 'entry.pipeline = :pipeline AND entry.entered_at >= :since AND entry.entered_at < :until';
  const parameters = { pipeline: pipelineKey, since, until };
  const [transitions, paths, durations, lost] = await Promise.all([
    manager
      .createQueryBuilder(StageEntryEntity, 'entry')
      .select('entry.from_stage', 'from_stage')
      .addSelect('entry.stage', 'stage')
      .addSelect('COUNT(*)', 'count')
      .where(window, parameters)
      .groupBy('entry.from_stage')
      .addGroupBy('entry.stage')
      .getRawMany(),
    manager
      .createQueryBuilder(StageEntryEntity, 'entry')
      .select('entry.entity_id', 'entity_id')
      .addSelect('entry.from_stage', 'from_stage')
      .addSelect('entry.stage', 'stage')
      .distinct(true)
      .where(window, parameters)
      .limit(1_000_000)
      .getRawMany(),
    manager
      .createQueryBuilder(StageEntryEntity, 'entry')
      .select('entry.stage', 'stage')
      .addSelect('entry.left_at - entry.entered_at', 'ms')
      .where(`${window} AND entry.left_at IS NOT NULL`, parameters)
      .limit(100000)
      .getRawMany(),
    manager
      .createQueryBuilder(StageEntryEntity, 'entry')
      .select('entry.stage', 'stage')
      .addSelect('entry.reason', 'reason')
      .addSelect('entry.refused_by', 'refused_by')
      .addSelect('COUNT(*)', 'count')
      .where(`${window} AND entry.stage IN (:...lostStages)`, { ...parameters, lostStages: lostStages.length ? lostStages : ['-'] })
      .groupBy('entry.stage')
      .addGroupBy('entry.reason')
      .addGroupBy('entry.refused_by')
      .getRawMany(),
  ]);
  const itemQuery = manager
    .createQueryBuilder(pipelineKey === 'leads' ? LeadEntity : DealEntity, 'item')
    .select('item.stage', 'stage')
    .addSelect('item.source', 'source')
    .addSelect('item.responsible', 'responsible')
    .addSelect('item.entered_stage_at', 'entered_stage_at')
    .where('item.created_at >= :since AND item.created_at < :until', parameters);
  if (pipelineKey !== 'leads') itemQuery.andWhere('item.pipeline = :pipeline', parameters);
  const items = await itemQuery.getRawMany();
  const variantQuery = manager
    .createQueryBuilder(ItemVariantEntity, 'variant')
    .innerJoin(pipelineKey === 'leads' ? 'leads' : 'deals', 'item', 'item.id = variant.entity_id')
    .select('variant.split', 'split')
    .addSelect('variant.variant', 'variant')
    .addSelect('item.stage', 'stage')
    .addSelect("(SELECT COUNT(*) FROM messages message WHERE message.entity_type = variant.entity_type AND message.entity_id = variant.entity_id AND message.direction = 'in')", 'replies')
    .where('variant.entity_type = :kind AND item.created_at >= :since AND item.created_at < :until', { ...parameters, kind: pipelineKey === 'leads' ? 'lead' : 'deal' });
  if (pipelineKey !== 'leads') variantQuery.andWhere('item.pipeline = :pipeline', parameters);
  const variants = await variantQuery.getRawMany();
  return {
    transitions: transitions.map((row) => ({ from_stage: row.from_stage ?? null, stage: row.stage, count: Number(row.count) })),
    paths: paths.map((row) => ({ entity_id: Number(row.entity_id), from_stage: row.from_stage ?? null, stage: row.stage })),
    durations: durations.map((row) => ({ stage: row.stage, ms: Number(row.ms) })),
    lost: lost.map((row) => ({ stage: row.stage, reason: row.reason ?? null, refused_by: row.refused_by ?? null, count: Number(row.count) })),
    items: items.map((row) => ({ stage: row.stage, source: row.source ?? null, responsible: row.responsible ?? null, entered_stage_at: Number(row.entered_stage_at) })),
    variants: variants.map((row) => ({ split: row.split, variant: row.variant, stage: row.stage, replies: Number(row.replies) })),
  };
}
