import { z } from 'zod';
import { teamOfPipeline } from '../config/model';
import { DealEntity, LeadEntity } from '../server/db/entities';
import { InvalidRequestError } from '../server/engine/errors';
import { fieldValue } from '../server/engine/items';
import { defineRobot, type ConfigReference } from './define';
import { robotActor } from './recipients';

/**
 * Bitrix24's "Create on basis" (seed 002): the lead becomes a contact (+ company) and a
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
    const { params, item, engine } = context;
    if (item.kind !== 'lead') return { outcome: 'skipped', detail: 'create_on_basis works on leads' };
    const pipeline = params.pipeline_by_field
      ? params.pipeline_by_field.map[String(fieldValue(item, params.pipeline_by_field.field) ?? '')] ?? params.pipeline
      : params.pipeline;
    if (!pipeline) throw new InvalidRequestError(`no deal pipeline for ${params.pipeline_by_field?.field} = "${String(fieldValue(item, params.pipeline_by_field?.field ?? ''))}"`);
    const lead = item.row;

    return engine.store.transaction(async (manager) => {
      const existing = await manager.findOne(DealEntity, { where: { leadId: lead.id, pipeline } });
      if (existing) return { outcome: 'done' as const, detail: `deal #${existing.id} in "${pipeline}" already exists for this lead` };

      const company = await engine.findOrCreateCompany(manager, lead.companyName);
      const { contact, created } = await engine.findOrCreateContact(manager, {
        name: lead.name,
        phone: lead.phone,
        email: lead.email,
        companyId: company?.id ?? null,
      });
      const team = params.team ?? teamOfPipeline(engine.config, pipeline);
      const responsible = team ? await engine.pickResponsible(team, pipeline, manager) : null;
      const deal = await engine.createItem(
        'deal',
        {
          pipeline,
          stage: params.stage,
          title: lead.title ?? lead.name ?? `Lead #${lead.id}`,
          name: lead.name ?? undefined,
          phone: lead.phone ?? undefined,
          email: lead.email ?? undefined,
          company_name: lead.companyName ?? undefined,
          source: lead.source ?? undefined,
          responsible: responsible ?? undefined,
          fields: lead.fields as Record<string, string | number | boolean | null>,
        },
        robotActor(context),
        { leadId: lead.id, contactId: contact.id, companyId: company?.id ?? null },
        manager,
      );
      await manager.update(LeadEntity, { id: lead.id }, { dealId: deal.row.id, contactId: contact.id, companyId: company?.id ?? null, updatedAt: engine.now() });
      const who = responsible ? `responsible ${responsible}` : `no responsible (team ${team ?? 'none'} has no members)`;
      return {
        outcome: 'done' as const,
        detail: `created deal #${deal.row.id} in "${pipeline}", ${who}; contact #${contact.id} ${created ? 'created' : 'found'}${company ? `, company #${company.id}` : ''}`,
      };
    });
  },
});
