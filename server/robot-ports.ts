import { DealEntity, LeadEntity, OptOutEntity, type DealRow, type LeadRow } from './db/entities';
import { startCallback } from './voice/call-chain';
import type { Engine } from './engine/engine';
import type { Conversion, ConversionPlan, RobotPorts } from '../robots/contract';

/** The engine's side of `RobotPorts`: the database and the channels, behind the narrow interface robots see. */
export function robotPorts(engine: Engine): RobotPorts {
  return {
    now: () => engine.now(),
    get config() {
      return engine.config;
    },
    get publicUrl() {
      return engine.publicUrl;
    },
    move: async (ref, stage, options) => ({ changed: (await engine.move(ref, stage, options)).changed }),
    updateItem: async (ref, patch, actor, causalDepth) => {
      await engine.updateItem(ref, patch, actor, causalDepth);
    },
    pickResponsible: (team, pipeline, options) => engine.pickResponsible(team, pipeline, undefined, options),
    findContact: (keys) => engine.findContact(keys),
    findEarlierLead: (lead) => engine.findEarlierLead(lead),
    flagRepeatClient: async (leadId, contactId) => {
      await engine.store.transaction((manager) => manager.update(LeadEntity, { id: leadId }, { repeatClient: true, contactId, updatedAt: engine.now() }));
      engine.itemChanges.publish({ kind: 'lead', id: leadId, change: 'updated' });
    },
    convertLead: (lead, plan) => convertLead(engine, lead, plan),
    createTask: (task) => engine.createTask(task),
    send: (request) => engine.send(request),
    isOptedOut: async (channel, address) => (await engine.store.manager.count(OptOutEntity, { where: { channel, address } })) > 0,
    startCallback: (item, run, settings) => startCallback(engine, item, run.id, settings),
    post: (url, request) => engine.http(url, request),
  };
}

/** Bitrix24's "Create on basis" as one transaction, idempotent per lead and pipeline (a unique index backs it). */
async function convertLead(engine: Engine, lead: LeadRow, plan: ConversionPlan): Promise<Conversion> {
  const conversion = await engine.store.transaction(async (manager): Promise<Conversion> => {
    const existing = await manager.findOne(DealEntity, { where: { leadId: lead.id, pipeline: plan.pipeline } });
    if (existing) return { kind: 'existing', deal: existing };
    const company = await engine.findOrCreateCompany(manager, lead.companyName);
    const { contact, created } = await engine.findOrCreateContact(manager, { name: lead.name, phone: lead.phone, email: lead.email, companyId: company?.id ?? null });
    const responsible = plan.team ? await engine.pickResponsible(plan.team, plan.pipeline, manager, { whenNobodyOnDuty: plan.whenNobodyOnDuty }) : null;
    const deal = await engine.createItem(
      'deal',
      {
        pipeline: plan.pipeline,
        stage: plan.stage,
        title: lead.title ?? lead.name ?? `Lead #${lead.id}`,
        name: lead.name ?? undefined,
        phone: lead.phone ?? undefined,
        email: lead.email ?? undefined,
        company_name: lead.companyName ?? undefined,
        source: lead.source ?? undefined,
        responsible: responsible ?? undefined,
        fields: lead.fields as Record<string, string | number | boolean | null>,
      },
      plan.actor,
      { leadId: lead.id, contactId: contact.id, companyId: company?.id ?? null },
      manager,
    );
    await manager.update(LeadEntity, { id: lead.id }, { dealId: deal.row.id, contactId: contact.id, companyId: company?.id ?? null, updatedAt: engine.now() });
    return { kind: 'created', deal: deal.row as DealRow, contact, contactCreated: created, company, responsible };
  });
  // The lead now links its deal: live boards show it.
  if (conversion.kind === 'created') engine.itemChanges.publish({ kind: 'lead', id: lead.id, change: 'updated' });
  return conversion;
}
