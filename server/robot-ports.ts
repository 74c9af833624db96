import type { RobotPorts, Conversion, ConversionPlan } from '../robots/contract';
import type { Clock } from './core/clock';
import type { LiveConfig } from './core/live-config';
import type { HttpPoster } from './core/outgoing-http';
import type { DealRow, LeadRow } from './core/rows';
import type { Store } from './db/store';
import type { Inbound } from './inbound/inbound';
import type { Messaging } from './messaging/messaging';
import type { Pipeline } from './pipeline/pipeline';
import type { Records } from './records/records';
import type { CallChain } from './voice/call-chain';

export interface RobotPortsDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  records: Records;
  pipeline: Pipeline;
  inbound: Inbound;
  messaging: Messaging;
  voice: CallChain;
  http: HttpPoster;
}

/** The server's side of `RobotPorts`: its services behind the narrow interface robots see. */
export function robotPorts(deps: RobotPortsDeps): RobotPorts {
  const { clock, config, records, pipeline, inbound, messaging, voice } = deps;
  return {
    now: () => clock.now(),
    get config() {
      return config.current;
    },
    get publicUrl() {
      return config.publicUrl;
    },
    move: async (ref, stage, options) => ({ changed: (await pipeline.move(ref, stage, options)).changed }),
    updateItem: async (ref, patch, actor, causalDepth) => {
      await inbound.changeFields(ref, patch, actor, causalDepth);
    },
    keepVariant: (ref, split, chosen) => records.keepVariant(ref, split, chosen),
    assignFromTeam: (ref, team, pipelineKey, options) => inbound.assignFromTeam(ref, team, pipelineKey, options.whenNobodyOnDuty, options.actor, options.causalDepth),
    findContact: (keys) => records.findContact(keys),
    findEarlierLead: (lead) => records.findEarlierLead(lead),
    flagRepeatClient: (leadId, contactId) => records.flagRepeatClient(leadId, contactId),
    convertLead: (lead, plan) => convertLead(deps, lead, plan),
    createTask: (task) => records.createTask(task),
    send: (request) => messaging.send(request),
    isOptedOut: (channel, address, contactId) => messaging.isOptedOut(channel, address, contactId ?? null),
    startCallback: (item, run, settings) => voice.startCallback(item, run.id, settings),
    post: (url, request) => deps.http(url, request),
  };
}

/** Bitrix24's "Create on basis" as one transaction, idempotent per lead and pipeline (a unique index backs it). */
async function convertLead(deps: RobotPortsDeps, lead: LeadRow, plan: ConversionPlan): Promise<Conversion> {
  const { records, pipeline } = deps;
  return deps.store.transaction(async (manager): Promise<Conversion> => {
    const existing = await records.dealOfLead(lead.id, plan.pipeline, manager);
    if (existing) return { kind: 'existing', deal: existing };
    const company = await records.findOrCreateCompany(manager, lead.companyName);
    const { contact, created } = await records.findOrCreateContact(manager, { name: lead.name, phone: lead.phone, email: lead.email, companyId: company?.id ?? null });
    const responsible = plan.team ? await records.pickResponsible(plan.team, plan.pipeline, manager, plan.whenNobodyOnDuty) : null;
    const deal = await pipeline.createItem(
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
    // The lead now links its deal: live boards hear it once this commits.
    await records.setColumns({ kind: 'lead', id: lead.id }, { dealId: deal.row.id, contactId: contact.id, companyId: company?.id ?? null }, manager);
    return { kind: 'created', deal: deal.row as DealRow, contact, contactCreated: created, company, responsible };
  });
}
