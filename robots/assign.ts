import { z } from 'zod';
import { teamOfPipeline } from '../server/core/compiled-config';
import { Login, WhenNobodyOnDuty } from '../config/primitives';
import { defineRobot } from './contract';
import { robotActor } from './notifications';

/** Picks a responsible from a team (round robin or least open items, as the team says). */
export const assign = defineRobot({
  type: 'assign',
  description: 'Set the responsible: a named user, or one picked from a team',
  params: z
    .object({
      user: Login.optional().describe('This user (a login of `users:`), instead of a pick from a team'),
      team: z.string().optional().describe("Defaults to the pipeline's team"),
      only_if_empty: z.boolean().default(false).describe('Keep an existing responsible'),
      when_nobody_on_duty: WhenNobodyOnDuty.optional(),
    })
    .refine((params) => !(params.user && params.team), {
      // Both would read as "this person, else the team": the robot would quietly take one of them.
      error: 'give `user` (this person) or `team` (a pick from it), not both',
      path: ['team'],
    }),
  references: (params) => [...(params.team ? [{ kind: 'team' as const, value: params.team, path: ['team'] }] : []), ...(params.user ? [{ kind: 'user' as const, value: params.user, path: ['user'] }] : [])],
  recipients: (params) => (params.user ? [params.user] : []),
  async run(context) {
    const { params, ports, item } = context;
    if (params.only_if_empty && item.row.responsible)
      return { outcome: 'skipped', detail: `already assigned to ${item.row.responsible}`, reason: { code: 'skipped.already_assigned', params: { responsible: item.row.responsible } } };
    if (params.user) {
      const previous = item.row.responsible;
      if (previous === params.user) return { outcome: 'skipped', detail: `already assigned to ${previous}`, reason: { code: 'skipped.already_assigned', params: { responsible: previous } } };
      await ports.updateItem({ kind: item.kind, id: item.row.id }, { responsible: params.user }, robotActor(context), context.run.causalDepth + 1);
      return { outcome: 'done', detail: `responsible ${previous ?? '(none)'} → ${params.user}`, reason: { code: 'done.assigned', params: { from: previous ?? null, to: params.user } } };
    }
    const team = params.team ?? teamOfPipeline(ports.config, item.pipeline);
    if (!team) return { outcome: 'skipped', detail: 'no team to pick from', reason: { code: 'skipped.no_team' } };
    const previous = item.row.responsible;
    const responsible = await ports.assignFromTeam({ kind: item.kind, id: item.row.id }, team, item.pipeline, {
      whenNobodyOnDuty: params.when_nobody_on_duty,
      actor: robotActor(context),
      causalDepth: context.run.causalDepth + 1,
    });
    if (!responsible) return { outcome: 'skipped', detail: `team ${team} has no members`, reason: { code: 'skipped.team_empty', params: { team } } };
    return { outcome: 'done', detail: `responsible ${previous ?? '(none)'} → ${responsible}`, reason: { code: 'done.assigned', params: { from: previous ?? null, to: responsible } } };
  },
});
