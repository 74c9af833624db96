import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadConfigOrThrow, loadConfigText } from '../../config/loader';
import { LEAD_PIPELINE, pipelineOf, type CompiledConfig } from '../../server/core/compiled-config';
import type { RobotDefinition } from '../../robots/contract';
import { buildContext } from '../../server/core/context';
import { companyKey } from '../../server/core/contact-keys';
import { ConfigError } from '../../server/core/errors';
import type { ItemPatch } from '../../server/core/inputs';
import { asItem, type Item, type ItemRef } from '../../server/core/items';
import { messageRow, type MessageRequest } from '../../server/core/message-request';
import type { MoveOptions } from '../../server/core/plan-move';
import { resolvePublicUrl } from '../../server/core/public-url';
import { pickRoundRobin, rotationMembers } from '../../server/core/responsible';
import type { CallRow, CompanyRow, ContactRow, DealRow, EntityKind, ItemRowBase, LeadRow, MessageRow, TaskRow } from '../../server/core/rows';
import type { CallbackSettings, CallStart, Conversion, ConversionPlan, HttpAnswer, NewTask, RobotPorts, RobotRunContext, RunRef } from '../../robots/contract';

/**
 * An in-memory `RobotPorts` for robot unit tests: no database, no channels, no network.
 * Every call is recorded in a public array; every answer the world would give is a public
 * field a test sets before running the robot.
 */

/** Wednesday 11 March 2026, 12:00 in Moscow (09:00 UTC): a working day, outside any quiet hours. */
export const FIXTURE_NOW = Date.UTC(2026, 2, 11, 9, 0, 0);

const MINUTE = 60_000;

// ── Rows: every field has a valid default, a test overrides what it is about ─────────────

/** What a lead and a deal share: Ivan Petrov from the website, five minutes in "new". */
function itemRowBase(): ItemRowBase {
  return {
    id: 1,
    title: null,
    name: 'Ivan Petrov',
    phone: '+79161234567',
    email: 'ivan@example.com',
    companyName: null,
    stage: 'new',
    stageEntryId: 1,
    enteredStageAt: FIXTURE_NOW - 5 * MINUTE,
    source: 'website',
    responsible: null,
    fields: {},
    contactId: null,
    companyId: null,
    lostReason: null,
    refusedBy: null,
    score: 0,
    tags: [],
    scoredAt: null,
    createdAt: FIXTURE_NOW - 5 * MINUTE,
    updatedAt: FIXTURE_NOW - 5 * MINUTE,
  };
}

export function leadRow(overrides: Partial<LeadRow> = {}): LeadRow {
  return { ...itemRowBase(), repeatClient: false, dealId: null, ...overrides };
}

export function dealRow(overrides: Partial<DealRow> = {}): DealRow {
  return { ...itemRowBase(), title: 'Deal for Ivan Petrov', pipeline: 'general', leadId: null, amount: null, ...overrides };
}

export function contactRow(overrides: Partial<ContactRow> = {}): ContactRow {
  return { id: 1, name: 'Ivan Petrov', phone: '+79161234567', email: 'ivan@example.com', companyId: null, createdAt: FIXTURE_NOW - 30 * 24 * 60 * MINUTE, ...overrides };
}

export function companyRow(overrides: Partial<CompanyRow> = {}): CompanyRow {
  const name = overrides.name ?? 'Romashka LLC';
  return { id: 1, name, nameKey: companyKey(name), createdAt: FIXTURE_NOW - 30 * 24 * 60 * MINUTE, ...overrides };
}

export function callRow(overrides: Partial<CallRow> = {}): CallRow {
  return {
    id: 1,
    entityType: 'lead',
    entityId: 1,
    runId: 1,
    agentLogin: 'anna',
    agentPhone: '+79000000101',
    clientPhone: '+79161234567',
    direction: 'outbound',
    attempt: 1,
    providerSid: null,
    status: 'initiated',
    startedAt: FIXTURE_NOW,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    ...overrides,
  };
}

// ── Configs: always the real loader, so defaults and cross-checks are the ones users get ──

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A fixture from test/fixtures, loaded as `robots validate` would load it. */
export function loadFixture(name: string, now = FIXTURE_NOW): CompiledConfig {
  return loadConfigOrThrow(path.join(FIXTURES, name), now);
}

/** YAML written in the test; a config the loader refuses throws its issues. */
export function configFromYaml(text: string, now = FIXTURE_NOW): CompiledConfig {
  const result = loadConfigText(text, 'test.yaml', now);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** A robot as written in YAML (flat: id, type, timing keys and the type's own keys). */
export type RobotYaml = { id: string; type: string } & Record<string, unknown>;

export interface Seed002Changes {
  /** Robots added to a stage: `{ leads: { in_work: [...] }, general: { offer: [...] } }`. */
  robots?: Record<string, Record<string, RobotYaml[]>>;
  /** Top-level keys replaced as a whole (quiet_hours, public_url, teams …). */
  top?: Record<string, unknown>;
}

/**
 * test/fixtures/seed002.yaml (the lead funnel of seed 002), with the robots a test is about
 * added where it says, run through the real loader.
 */
export function seed002(changes: Seed002Changes = {}, now = FIXTURE_NOW): CompiledConfig {
  if (!changes.robots && !changes.top) return loadFixture('seed002.yaml', now);
  const document = parseYaml(fs.readFileSync(path.join(FIXTURES, 'seed002.yaml'), 'utf8')) as Record<string, unknown>;
  Object.assign(document, changes.top ?? {});
  for (const [pipeline, stages] of Object.entries(changes.robots ?? {})) {
    const spec = (pipeline === LEAD_PIPELINE ? document.leads : (document.deals as Record<string, unknown> | undefined)?.[pipeline]) as
      | { stages: Array<{ id: string; robots?: RobotYaml[] }> }
      | undefined;
    if (!spec) throw new Error(`seed002 has no pipeline "${pipeline}"`);
    for (const [stageId, robots] of Object.entries(stages)) {
      const stage = spec.stages.find((candidate) => candidate.id === stageId);
      if (!stage) throw new Error(`seed002 pipeline "${pipeline}" has no stage "${stageId}"`);
      stage.robots = [...(stage.robots ?? []), ...robots];
    }
  }
  return configFromYaml(stringifyYaml(document), now);
}

// ── The ports ─────────────────────────────────────────────────────────────────────────────

export interface FakePortsSetup {
  now?: number;
  publicUrl?: string;
  contacts?: ContactRow[];
  leads?: LeadRow[];
  deals?: DealRow[];
  companies?: CompanyRow[];
  optedOut?: Array<{ channel: string; address: string }>;
  httpAnswer?: HttpAnswer | Error;
  httpAnswers?: Array<HttpAnswer | Error>;
  callback?: CallStart;
  nextResponsible?: string | null;
}

export interface RecordedMove {
  ref: ItemRef;
  stage: string;
  options: MoveOptions;
}

export interface RecordedUpdate {
  ref: ItemRef;
  patch: ItemPatch;
  actor: string;
  causalDepth: number;
}

export interface RecordedConversion {
  lead: LeadRow;
  plan: ConversionPlan;
  result: Conversion;
}

export interface RecordedPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export class FakePorts implements RobotPorts {
  clock: number;
  config: CompiledConfig;
  publicUrl: string;

  // What the world answers (set before running a robot).
  /** Contacts `findContact` searches (by phone first, then email, like the engine). */
  contacts: ContactRow[];
  /** Leads `findEarlierLead` searches: another id with the same phone or email. */
  leads: LeadRow[];
  /** Deals already there: `convertLead` finds one of the lead in that pipeline and creates nothing. */
  deals: DealRow[];
  companies: CompanyRow[];
  /** Who wrote STOP on which channel. */
  optedOut: Array<{ channel: string; address: string }>;
  /** What `post` answers once `httpAnswers` is used up; an Error is thrown instead. */
  httpAnswer: HttpAnswer | Error;
  /** Answers `post` gives in turn before falling back to `httpAnswer`. */
  httpAnswers: Array<HttpAnswer | Error>;
  /** What `startCallback` answers. */
  callback: CallStart;
  /** What `pickResponsible` answers; undefined picks round robin over the team's rotation, as the engine does. */
  nextResponsible: string | null | undefined;
  /** When set, `move` throws it (a refused move: required fields, loop guard …). */
  moveError: Error | null = null;

  // What the robot did.
  readonly moves: RecordedMove[] = [];
  readonly updates: RecordedUpdate[] = [];
  readonly picks: Array<{ team: string; pipeline: string; picked: string | null }> = [];
  readonly contactLookups: Array<{ phone: string | null; email: string | null }> = [];
  readonly earlierLeadLookups: LeadRow[] = [];
  readonly repeatClientFlags: Array<{ leadId: number; contactId: number | null }> = [];
  readonly conversions: RecordedConversion[] = [];
  /** Every createTask call; `tasks` holds the distinct tasks made. */
  readonly taskRequests: NewTask[] = [];
  readonly tasks: TaskRow[] = [];
  /** Every send call; `messages` holds the distinct messages (one per idempotency key). */
  readonly sends: MessageRequest[] = [];
  readonly messages: MessageRow[] = [];
  readonly optOutChecks: Array<{ channel: string; address: string }> = [];
  readonly callbacks: Array<{ item: Item; run: RunRef; settings: CallbackSettings }> = [];
  readonly posts: RecordedPost[] = [];

  private readonly stages = new Map<string, string>();
  private sequence = 1000;

  constructor(config: CompiledConfig, setup: FakePortsSetup = {}) {
    this.config = config;
    this.clock = setup.now ?? FIXTURE_NOW;
    this.publicUrl = setup.publicUrl ?? resolvePublicUrl(config, undefined);
    this.contacts = setup.contacts ?? [];
    this.leads = setup.leads ?? [];
    this.deals = setup.deals ?? [];
    this.companies = setup.companies ?? [];
    this.optedOut = setup.optedOut ?? [];
    this.httpAnswer = setup.httpAnswer ?? { status: 200, text: 'ok' };
    this.httpAnswers = setup.httpAnswers ?? [];
    this.callback = setup.callback ?? { kind: 'recorded', detail: 'no voice provider: the call was recorded in the outbox' };
    this.nextResponsible = setup.nextResponsible;
  }

  now(): number {
    return this.clock;
  }

  /** Where an item stands, for `move` to tell a real move from a no-op. */
  placeItem(ref: ItemRef, stage: string): void {
    this.stages.set(refKey(ref), stage);
  }

  stageOf(ref: ItemRef): string | undefined {
    return this.stages.get(refKey(ref));
  }

  async move(ref: ItemRef, stage: string, options: MoveOptions): Promise<{ changed: boolean }> {
    this.moves.push({ ref, stage, options });
    if (this.moveError) throw this.moveError;
    const changed = this.stages.get(refKey(ref)) !== stage;
    this.stages.set(refKey(ref), stage);
    return { changed };
  }

  async updateItem(ref: ItemRef, patch: ItemPatch, actor: string, causalDepth: number): Promise<void> {
    this.updates.push({ ref, patch, actor, causalDepth });
  }

  async pickResponsible(team: string, pipeline: string): Promise<string | null> {
    const picked = this.nextResponsible !== undefined ? this.nextResponsible : pickRoundRobin(rotationMembers(this.config, team), this.picks.filter((pick) => pick.team === team).at(-1)?.picked ?? null);
    this.picks.push({ team, pipeline, picked });
    return picked;
  }

  async findContact(keys: { phone: string | null; email: string | null }): Promise<ContactRow | null> {
    this.contactLookups.push(keys);
    return this.matchContact(keys);
  }

  async findEarlierLead(lead: LeadRow): Promise<LeadRow | null> {
    this.earlierLeadLookups.push(lead);
    const matches = this.leads.filter((other) => other.id !== lead.id && ((lead.phone && other.phone === lead.phone) || (lead.email && other.email === lead.email)));
    return matches.sort((a, b) => a.id - b.id)[0] ?? null;
  }

  async flagRepeatClient(leadId: number, contactId: number | null): Promise<void> {
    this.repeatClientFlags.push({ leadId, contactId });
  }

  async convertLead(lead: LeadRow, plan: ConversionPlan): Promise<Conversion> {
    const existing = this.deals.find((deal) => deal.leadId === lead.id && deal.pipeline === plan.pipeline);
    if (existing) return this.recordConversion(lead, plan, { kind: 'existing', deal: existing });

    const company = this.findOrCreateCompany(lead.companyName);
    const found = this.matchContact({ phone: lead.phone, email: lead.email });
    const contact = found ?? { id: this.nextId(), name: lead.name, phone: lead.phone, email: lead.email, companyId: company?.id ?? null, createdAt: this.clock };
    if (!found) this.contacts.push(contact);
    const responsible = plan.team ? await this.pickResponsible(plan.team, plan.pipeline) : null;
    const firstStage = pipelineOf(this.config, plan.pipeline)?.stages[0]?.id ?? 'new';
    const deal = dealRow({
      id: this.nextId(),
      pipeline: plan.pipeline,
      stage: plan.stage ?? firstStage,
      title: lead.title ?? lead.name ?? `Lead #${lead.id}`,
      name: lead.name,
      phone: lead.phone,
      email: lead.email,
      companyName: lead.companyName,
      source: lead.source,
      responsible,
      fields: { ...lead.fields },
      leadId: lead.id,
      contactId: contact.id,
      companyId: company?.id ?? null,
      enteredStageAt: this.clock,
      createdAt: this.clock,
      updatedAt: this.clock,
    });
    this.deals.push(deal);
    return this.recordConversion(lead, plan, { kind: 'created', deal, contact, contactCreated: !found, company, responsible });
  }

  async createTask(task: NewTask): Promise<TaskRow> {
    this.taskRequests.push(task);
    const existing =
      task.runId === null ? undefined : this.tasks.find((row) => row.runId === task.runId && row.entityType === task.item.kind && row.entityId === task.item.id);
    if (existing) return existing;
    const row: TaskRow = {
      id: this.nextId(),
      entityType: task.item.kind,
      entityId: task.item.id,
      assignee: task.assignee,
      title: task.title,
      dueAt: task.dueAt,
      status: 'open',
      runId: task.runId,
      overdueAt: null,
      createdAt: this.clock,
    };
    this.tasks.push(row);
    return row;
  }

  async send(request: MessageRequest): Promise<MessageRow> {
    this.sends.push(request);
    const existing = this.messages.find((message) => message.idempotencyKey === request.idempotencyKey);
    if (existing) return existing;
    const message: MessageRow = { ...messageRow(request, this.clock, true), id: this.nextId() };
    this.messages.push(message);
    return message;
  }

  async isOptedOut(channel: string, address: string): Promise<boolean> {
    this.optOutChecks.push({ channel, address });
    return this.optedOut.some((entry) => entry.channel === channel && entry.address === address);
  }

  async startCallback(item: Item, run: RunRef, settings: CallbackSettings): Promise<CallStart> {
    this.callbacks.push({ item, run, settings });
    return this.callback;
  }

  async post(url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<HttpAnswer> {
    this.posts.push({ url, ...request });
    const answer = this.httpAnswers.shift() ?? this.httpAnswer;
    // Not `instanceof Error`: a DOMException (fetch's timeout) comes from another realm under jest.
    if ('status' in answer) return answer;
    throw answer;
  }

  private matchContact(keys: { phone: string | null; email: string | null }): ContactRow | null {
    const byId = (a: ContactRow, b: ContactRow) => a.id - b.id;
    const byPhone = keys.phone ? this.contacts.filter((contact) => contact.phone === keys.phone).sort(byId)[0] : undefined;
    if (byPhone) return byPhone;
    return (keys.email ? this.contacts.filter((contact) => contact.email === keys.email).sort(byId)[0] : undefined) ?? null;
  }

  private findOrCreateCompany(name: string | null): CompanyRow | null {
    if (!name || name.trim() === '') return null;
    const key = companyKey(name);
    const existing = this.companies.find((company) => company.nameKey === key);
    if (existing) return existing;
    const company: CompanyRow = { id: this.nextId(), name: name.trim(), nameKey: key, createdAt: this.clock };
    this.companies.push(company);
    return company;
  }

  private recordConversion(lead: LeadRow, plan: ConversionPlan, result: Conversion): Conversion {
    this.conversions.push({ lead, plan, result });
    return result;
  }

  private nextId(): number {
    this.sequence += 1;
    return this.sequence;
  }
}

function refKey(ref: ItemRef): string {
  return `${ref.kind}:${ref.id}`;
}

// ── A run of one robot ───────────────────────────────────────────────────────────────────

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
export function runContext<Params extends z.ZodObject>(
  definition: RobotDefinition<Params>,
  robotId: string,
  ports: FakePorts,
  setup: RunSetup = {},
): RobotRunContext<z.output<Params>> {
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
    return asItem('lead', leadRow({ stage: robotOnLeads ? stage : config.leads.stages[0].id, contactId: setup.contact?.id ?? null, companyId: setup.company?.id ?? null, ...setup.lead }));
  }
  const dealPipeline = setup.deal?.pipeline ?? (robotOnLeads ? [...config.deals.keys()][0] : pipeline);
  const firstStage = pipelineOf(config, dealPipeline)?.stages[0]?.id ?? 'new';
  return asItem('deal', dealRow({ pipeline: dealPipeline, stage: dealPipeline === pipeline ? stage : firstStage, contactId: setup.contact?.id ?? null, companyId: setup.company?.id ?? null, ...setup.deal }));
}
