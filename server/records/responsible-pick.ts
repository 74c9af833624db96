import { In, type EntityManager } from 'typeorm';
import type { WhenNobodyOnDuty } from '../../config/primitives';
import { LEAD_PIPELINE, pipelineOf, type CompiledConfig } from '../core/compiled-config';
import { pickLeastOpen, pickRoundRobin, rotationOnDuty } from '../core/responsible';
import { DealEntity, LeadEntity } from '../db/entities';

/**
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
  if (config.teams.get(team)?.pick === 'least_open') {
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
  const last = await manager.findOne(entity as typeof DealEntity, {
    where: { ...scope, responsible: In(members) } as never,
    order: { id: 'DESC' },
    select: ['id', 'responsible'],
  });
  return pickRoundRobin(members, last?.responsible ?? null, new Set(eligible));
}
