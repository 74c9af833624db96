import type { z } from 'zod';
import { LEAD_PIPELINE, pipelineOf, type CompiledConfig } from '../../server/core/compiled-config';
import { buildContext } from '../../server/core/context';
import { asItem, type Item } from '../../server/core/items';
import type { CompanyRow, ContactRow, DealRow, EntityKind, LeadRow } from '../../server/core/rows';
import type { FakePorts } from './fake-ports';
import type { RobotDefinition, RobotRunContext, RunRef } from './robot-contract';
import { dealRow, leadRow } from './rows';
import { first } from './lists';

/** A run of one robot, as the runner would hand it over. */

export interface RunSetup {
  /** The item is a lead when given `lead` (or when the robot sits in lead statuses), else a deal. */
  lead?: Partial<LeadRow>;
  deal?: Partial<DealRow>;
  contact?: ContactRow | null;
  company?: CompanyRow | null;
  touchesSent?: number;
  repliesReceived?: number;
  event?: Record<string, unknown>;
  run?: Partial<RunRef>;
  /** The run's `now`; defaults to the ports' clock. */
  now?: number;
}

/**
 * What the runner hands `robotId`'s robot: the params as the loader compiled them (defaults
 * filled in), the item in the robot's stage, the documented context and the fake ports.
 */
export function runContext<Params extends z.ZodObject>(definition: RobotDefinition<Params>, robotId: string, ports: FakePorts, setup: RunSetup = {}): RobotRunContext<z.output<Params>> {
  const placement = ports.config.robots.get(robotId);
  if (!placement) throw new Error(`no robot "${robotId}" in ${ports.config.file} (robots: ${[...ports.config.robots.keys()].join(', ')})`);
  if (placement.robot.type !== definition.type) throw new Error(`robot "${robotId}" is a ${placement.robot.type}, not a ${definition.type}`);
  const now = setup.now ?? ports.now();
  const item = itemFor(ports.config, placement.pipeline, placement.stage, setup);
  const context = buildContext({
    config: ports.config,
    item,
    contact: setup.contact ?? null,
    company: setup.company ?? null,
    touchesSent: setup.touchesSent ?? 0,
    repliesReceived: setup.repliesReceived ?? 0,
    now,
    publicUrl: ports.publicUrl,
    event: setup.event,
  });
  const run: RunRef = { id: 1, robotId, entryId: item.row.stageEntryId ?? 1, causalDepth: 0, attempts: 0, ...setup.run };
  // The robot's own schema types the params; the placement already holds its defaults, so this changes no value.
  const params = { ...placement.robot, ...definition.params.parse(placement.robot) };
  return { params, run, item, context, ports, now };
}

function itemFor(config: CompiledConfig, pipeline: string, stage: string, setup: RunSetup): Item {
  const robotOnLeads = pipeline === LEAD_PIPELINE;
  const kind: EntityKind = setup.lead ? 'lead' : setup.deal ? 'deal' : robotOnLeads ? 'lead' : 'deal';
  if (kind === 'lead') {
    return asItem('lead', leadRow({ stage: robotOnLeads ? stage : first(config.leads.stages).id, contactId: setup.contact?.id ?? null, companyId: setup.company?.id ?? null, ...setup.lead }));
  }
  const dealPipeline = setup.deal?.pipeline ?? (robotOnLeads ? first([...config.deals.keys()]) : pipeline);
  const firstStage = pipelineOf(config, dealPipeline)?.stages[0]?.id ?? 'new';
  return asItem('deal', dealRow({ pipeline: dealPipeline, stage: dealPipeline === pipeline ? stage : firstStage, contactId: setup.contact?.id ?? null, companyId: setup.company?.id ?? null, ...setup.deal }));
}
