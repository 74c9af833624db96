import type { z } from 'zod';
import type { CompiledConfig } from '../server/core/compiled-config';
import type { ConfigReference, RobotBase } from '../config/schema';
import type { EvaluationContext } from '../server/core/context';
import type { WhenNobodyOnDuty } from '../config/primitives';
import type { ItemPatch } from '../server/core/inputs';
import type { Item, ItemRef } from '../server/core/items';
import type { MessageRequest } from '../server/core/message-request';
import type { MoveOptions } from '../server/core/plan-move';
import type { CallbackSettings, CallStart } from '../server/core/callback';
import type { HttpAnswer } from '../server/core/outgoing-http';
import type { RunReason } from '../server/core/run-reasons';
import type { CompanyRow, ContactRow, DealRow, LeadRow, MessageRow, NewTask, RobotRunRow, TaskRow } from '../server/core/rows';

export type { CallbackSettings, CallStart, HttpAnswer, NewTask };

/**
 * Everything a robot may do to the world, and nothing more (STYLE §1: n8n nodes see only
 * IExecuteFunctions). The server implements it over its services (server/robot-ports.ts); robot unit
 * tests implement it in memory. Writes a robot needs in one transaction are one call here.
 */
export interface RobotPorts {
  now(): number;
  /** The config as it stands now (a reload may have swapped it since the run was scheduled). */
  readonly config: CompiledConfig;
  /** Where links to items point (PUBLIC_URL over `public_url`). */
  readonly publicUrl: string;

  /** Through the same transition as a person: required fields, lost reasons, the loop guard. */
  move(ref: ItemRef, stage: string, options: MoveOptions): Promise<{ changed: boolean }>;
  /** Changes standard or custom fields; each change is an event triggers can react to. */
  updateItem(ref: ItemRef, patch: ItemPatch, actor: string, causalDepth: number): Promise<void>;
  /** The variant of a split the item keeps for good: `chosen` the first time it is asked, the stored one after. */
  keepVariant(ref: ItemRef, split: string, chosen: string): Promise<string>;
  /**
   * Makes a member of `team` on duty responsible for the item, as the team's `pick:` says, in one
   * transaction with the pick (so items given out at the same moment see one another); each
   * change is an event as with `updateItem`. Returns who, or null when the team has nobody.
   */
  assignFromTeam(ref: ItemRef, team: string, pipeline: string, options: PickOptions & { actor: string; causalDepth: number }): Promise<string | null>;

  /** The contact that already has this phone or email (one client, one contact). */
  findContact(keys: { phone: string | null; email: string | null }): Promise<ContactRow | null>;
  /** An earlier lead with the same phone or email. */
  findEarlierLead(lead: LeadRow): Promise<LeadRow | null>;
  /** Flags a lead as a repeat client and links the contact it matched. */
  flagRepeatClient(leadId: number, contactId: number | null): Promise<void>;
  /**
   * Create on basis, in one transaction: find-or-create the company and the contact, pick the
   * responsible from `team`, create the deal, link the lead. A second call for the same lead
   * and pipeline finds the deal it made and creates nothing.
   */
  convertLead(lead: LeadRow, plan: ConversionPlan): Promise<Conversion>;

  /** A task for a person; one per run, so a retried run finds the task it made. */
  createTask(task: NewTask): Promise<TaskRow>;
  /** Sends at most once per idempotency key (semantics 5). */
  send(request: MessageRequest): Promise<MessageRow>;
  /** May the client not be written to on this channel (the consent register: their opt-out, or no opt-in where the config asks for one)? */
  isOptedOut(channel: string, address: string, contactId?: number | null): Promise<boolean>;
  /** The hot-lead callback: call the agents in turn and bridge the first who answers to the client. */
  startCallback(item: Item, run: RunRef, settings: CallbackSettings): Promise<CallStart>;
  /** An outgoing HTTP request (the webhook robot); `simulate` records it instead of sending. */
  post(url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<HttpAnswer>;
}

/** How a pick treats schedules: the robot's `when_nobody_on_duty`, over the team's. */
export interface PickOptions {
  whenNobodyOnDuty?: WhenNobodyOnDuty;
}

/** The run being executed, as much of it as a robot needs. */
export type RunRef = Pick<RobotRunRow, 'id' | 'robotId' | 'entryId' | 'causalDepth' | 'attempts'>;

export interface ConversionPlan {
  pipeline: string;
  stage?: string;
  /** Pick the deal's responsible from this team; none when null. */
  team: string | null;
  /** The robot's `when_nobody_on_duty`, over the team's. */
  whenNobodyOnDuty?: WhenNobodyOnDuty;
  actor: string;
}

export type Conversion = { kind: 'existing'; deal: DealRow } | { kind: 'created'; deal: DealRow; contact: ContactRow; contactCreated: boolean; company: CompanyRow | null; responsible: string | null };

/** What a robot's `run` receives: its params as written, the item as it is now, and its ports. */
export interface RobotRunContext<Params> {
  params: Params & z.output<typeof RobotBase> & { type: string };
  run: RunRef;
  item: Item;
  /** The documented condition/template context, built at run time. */
  context: EvaluationContext;
  ports: RobotPorts;
  now: number;
}

export interface RobotOutcome {
  /** `cancelled`: it gave up, and the robots waiting for it are cancelled too. */
  outcome: 'done' | 'skipped' | 'cancelled';
  /** Of the robots waiting for this one, only these run; the others are cancelled (a branch). */
  release?: string[];
  /** In English, for ops. */
  detail?: string;
  /** The same as a stable code and its values, which the web app translates. */
  reason?: RunReason;
}

export interface RobotDefinition<Params extends z.ZodObject = z.ZodObject> {
  /** The `type:` users write in YAML. */
  type: string;
  /** One line for the docs and the editor's hover. */
  description: string;
  /** The robot's own keys, written flat beside `id`, `type`, `after` … in YAML. */
  params: Params;
  /** Which item kinds it makes sense on. */
  appliesTo?: Array<'lead' | 'deal'>;
  /** A touch to the client: its pending runs stop when the client replies (unless `stop_on_reply: false`). */
  touch?: boolean;
  references?: (params: z.output<Params>) => ConfigReference[];
  /**
   * The people it alerts, gives a task or calls, as written (`responsible`, `manager`, `team` or
   * logins). Whoever is named here can open the item (server/auth/access.ts reads them from the
   * compiled config, test/unit/recipients-can-open.test.ts checks it).
   */
  recipients?: (params: z.output<Params>) => string[];
  run(context: RobotRunContext<z.output<Params>>): Promise<RobotOutcome>;
}

export function defineRobot<Params extends z.ZodObject>(definition: RobotDefinition<Params>): RobotDefinition<Params> {
  return definition;
}
