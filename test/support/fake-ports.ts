import { pipelineOf, type CompiledConfig } from '../../server/core/compiled-config';
import { companyKey } from '../../server/core/contact-keys';
import type { ItemPatch } from '../../server/core/inputs';
import type { Item, ItemRef } from '../../server/core/items';
import { messageRow, type MessageRequest } from '../../server/core/message-request';
import type { MoveOptions } from '../../server/core/plan-move';
import { resolvePublicUrl } from '../../server/core/public-url';
import { pickRoundRobin, rotationMembers } from '../../server/core/responsible';
import type { CompanyRow, ContactRow, DealRow, LeadRow, MessageRow, TaskRow } from '../../server/core/rows';
import type { CallbackSettings, CallStart, Conversion, ConversionPlan, HttpAnswer, NewTask, RobotPorts, RunRef } from './robot-contract';
import { dealRow, FIXTURE_NOW } from './rows';

/**
 * An in-memory `RobotPorts` for robot unit tests: no database, no channels, no network.
 * Every call is recorded in a public array; every answer the world would give is a public
 * field a test sets before running the robot.
 */

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
  /** The variant each item kept per split (`lead:1/reminder_test` → `a`). */
  readonly variants = new Map<string, string>();

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

  async keepVariant(ref: { kind: string; id: number }, split: string, chosen: string): Promise<string> {
    const key = `${ref.kind}:${ref.id}/${split}`;
    if (!this.variants.has(key)) this.variants.set(key, chosen);
    return this.variants.get(key)!;
  }

  /** As the engine: the pick, then the write (kept in `picks` and `updates`). */
  async assignFromTeam(ref: ItemRef, team: string, pipeline: string, options: { actor: string; causalDepth: number }): Promise<string | null> {
    const picked = await this.pickResponsible(team, pipeline);
    if (picked !== null) await this.updateItem(ref, { responsible: picked }, options.actor, options.causalDepth);
    return picked;
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
    const existing = task.runId === null ? undefined : this.tasks.find((row) => row.runId === task.runId && row.entityType === task.item.kind && row.entityId === task.item.id);
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
