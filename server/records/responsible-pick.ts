import { In, type EntityManager } from 'typeorm';
import type { WhenNobodyOnDuty } from '../../config/primitives';
import { LEAD_PIPELINE, pipelineOf, type CompiledConfig } from '../core/compiled-config';
import { pickLeastOpen, pickRoundRobin, rotationOnDuty } from '../core/responsible';
import { DealEntity, LeadEntity } from '../db/entities';
import { allSql, runSql } from '../db/hot-path';
import { lockKeys } from '../db/locks';

/**
 * Call inside a transaction: a round robin takes its turn under a lock held until it ends.
 *
 * A member of `team` on duty at `now`, as its `pick:` says (round robin, or the fewest open
 * items in `pipeline`); null when the team has no members. Nobody on duty: `when_nobody_on_duty`
 * (may throw NotNowError). The rule is core/responsible.ts; this reads what it needs.
 */
export async function pickResponsible(manager: EntityManager, config: CompiledConfig, now: number, team: string, pipeline: string, whenNobodyOnDuty?: WhenNobodyOnDuty): Promise<string | null> {
  const rotation = rotationOnDuty(config, team, now, whenNobodyOnDuty);
  if (rotation.kind === 'empty') return null;
  if (rotation.kind === 'person') return rotation.login;
  const { members, eligible } = rotation;
  const entity = pipeline === LEAD_PIPELINE ? LeadEntity : DealEntity;
  const scope = pipeline === LEAD_PIPELINE ? {} : { pipeline };
  const rotationKey = `${team}:${pipeline}`;
  if (config.teams.get(team)?.pick === 'least_open') {
    // Picks for one team take turns (SQLite's single writer does the same): the caller writes the
    // pick in this transaction, so the next one counts it.
    await lockKeys(manager, [`team-turn:${rotationKey}`]);
    const openStages =
      pipelineOf(config, pipeline)
        ?.stages.filter((stage) => stage.semantic === 'open')
        .map((stage) => stage.id) ?? [];
    const rows: Array<{ responsible: string; open: string | number }> = await manager
      .createQueryBuilder(entity as typeof DealEntity, 'item')
      .select('item.responsible', 'responsible')
      .addSelect('COUNT(*)', 'open')
      .where('item.responsible IN (:...members)', { members })
      .andWhere('item.stage IN (:...openStages)', { openStages: openStages.length ? openStages : ['-'] })
      .andWhere(pipeline === LEAD_PIPELINE ? '1=1' : 'item.pipeline = :pipeline', { pipeline })
      .groupBy('item.responsible')
      .getRawMany();
    return pickLeastOpen(eligible, new Map(rows.map((row) => [row.responsible, Number(row.open)])));
  }
  // The turn is one row, locked until the caller's transaction ends (SQLite's single writer does
  // the same): picks made at the same moment take turns instead of all reading the same last one.
  await runSql(manager, 'INSERT INTO team_turns (rotation, last_login, updated_at) VALUES (?, NULL, ?) ON CONFLICT (rotation) DO NOTHING', [rotationKey, now]);
  const lock = manager.connection.options.type === 'postgres' ? ' FOR UPDATE' : '';
  const [turn] = await allSql(manager, `SELECT last_login FROM team_turns WHERE rotation = ?${lock}`, [rotationKey]);
  let last = (turn?.last_login as string | null | undefined) ?? null;
  if (last === null) {
    // The first pick since the turn was kept: it goes on from the newest item given to the team.
    const newest = await manager.findOne(entity as typeof DealEntity, {
      where: { ...scope, responsible: In(members) } as never,
      order: { id: 'DESC' },
      select: ['id', 'responsible'],
    });
    last = newest?.responsible ?? null;
  }
  const picked = pickRoundRobin(members, last, new Set(eligible));
  if (picked !== null) await runSql(manager, 'UPDATE team_turns SET last_login = ?, updated_at = ? WHERE rotation = ?', [picked, now, rotationKey]);
  return picked;
}
