import { z } from 'zod';
import { teamOfPipeline } from '../server/core/compiled-config';
import { InvalidRequestError } from '../server/core/errors';
import { fieldValue } from '../server/core/items';
import { WhenNobodyOnDuty } from '../config/primitives';
import { defineRobot } from './contract';
import type { ConfigReference } from '../config/schema';
import { robotActor } from './notifications';

/**
 * Bitrix24's "Create on basis": the lead becomes a contact (+ company) and a
 * deal in the direction's pipeline, with a responsible picked from that direction's team.
 * Idempotent: a second run finds the deal it made and makes nothing new.
 */
export const createOnBasis = defineRobot({
  type: 'create_on_basis',
  description: 'From a lead: find-or-create the contact and company, create a deal in a pipeline, pick its responsible',
  appliesTo: ['lead'],
  params: z.object({
    pipeline: z.string().optional().describe('Deal pipeline to create the deal in'),
    pipeline_by_field: z
      .strictObject({ field: z.string(), map: z.record(z.string(), z.string()) })
      .optional()
      .describe('Choose the pipeline from a lead field value instead'),
    stage: z.string().optional().describe('First stage of the deal (defaults to the pipeline’s first)'),
    team: z.string().optional().describe('Pick the responsible from this team (defaults to the pipeline’s team)'),
    when_nobody_on_duty: WhenNobodyOnDuty.optional(),
  }),
  references: (params) => {
    const references: ConfigReference[] = [];
    if (params.pipeline) references.push({ kind: 'pipeline', value: params.pipeline, path: ['pipeline'] });
    if (params.pipeline_by_field) {
      references.push({ kind: 'field', value: params.pipeline_by_field.field, path: ['pipeline_by_field', 'field'] });
      for (const [value, pipeline] of Object.entries(params.pipeline_by_field.map)) {
        references.push({ kind: 'pipeline', value: pipeline, path: ['pipeline_by_field', 'map', value] });
      }
    }
    if (params.stage && params.pipeline) references.push({ kind: 'stage', pipeline: params.pipeline, value: params.stage, path: ['stage'] });
    if (params.team) references.push({ kind: 'team', value: params.team, path: ['team'] });
    return references;
  },
  async run(context) {
    const { params, item, ports } = context;
    if (item.kind !== 'lead') return { outcome: 'skipped', detail: 'create_on_basis works on leads', reason: { code: 'skipped.wrong_item_kind', params: { kind: 'lead' } } };
    const byField = params.pipeline_by_field;
    const value = byField ? String(fieldValue(item, byField.field) ?? '') : '';
    // Own keys only: a field value such as "constructor" must not find Object's own members.
    const pipeline = byField && Object.hasOwn(byField.map, value) ? byField.map[value] : params.pipeline;
    if (!pipeline) throw new InvalidRequestError(`no deal pipeline for ${params.pipeline_by_field?.field} = "${String(fieldValue(item, params.pipeline_by_field?.field ?? ''))}"`);
    const team = params.team ?? teamOfPipeline(ports.config, pipeline) ?? null;
    const result = await ports.convertLead(item.row, { pipeline, stage: params.stage, team, actor: robotActor(context), whenNobodyOnDuty: params.when_nobody_on_duty });
    if (result.kind === 'existing')
      return { outcome: 'done', detail: `deal #${result.deal.id} in "${pipeline}" already exists for this lead`, reason: { code: 'done.deal_exists', params: { deal_id: result.deal.id, pipeline } } };
    const { deal, contact, contactCreated, company, responsible } = result;
    const who = responsible ? `responsible ${responsible}` : `no responsible (team ${team ?? 'none'} has no members)`;
    return {
      outcome: 'done',
      detail: `created deal #${deal.id} in "${pipeline}", ${who}; contact #${contact.id} ${contactCreated ? 'created' : 'found'}${company ? `, company #${company.id}` : ''}`,
      reason: { code: 'done.deal_created', params: { deal_id: deal.id, pipeline, responsible, contact_id: contact.id, contact_created: contactCreated } },
    };
  },
});
