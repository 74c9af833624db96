import type { z } from 'zod';
import type { LoginInput } from '../../../server/http/routes/auth';
import type { ItemListQuery, ItemListResponse as ServerItemListResponse, MoveBody } from '../../../server/http/routes/items';
import type { NewItemInput } from '../../../server/core/inputs';

/**
 * What the board sends is typed from the server's own zod schemas (types only: no server code
 * reaches the bundle). What it reads back is described here, as server/core/items.ts `itemView`
 * and server/http/routes/pipelines.ts write it.
 */
export type LoginBody = z.input<typeof LoginInput>;
export type ItemListParams = Partial<Record<keyof z.input<typeof ItemListQuery>, string>>;
export type MoveRequest = z.input<typeof MoveBody>;
export type NewItemRequest = z.input<typeof NewItemInput>;

export type Kind = 'lead' | 'deal';
export type Role = 'admin' | 'ops' | 'manager' | 'sales' | 'first_line';

export interface SessionUser {
  login: string;
  name: string;
  role: Role;
  team?: string | null;
}

export interface MeResponse {
  user: SessionUser;
  csrf_token: string;
}

export interface LostReasonView {
  id: string;
  label: string;
  refused_by: 'we_refused' | 'client_refused';
}

export interface StageView {
  id: string;
  name: string;
  semantic: 'open' | 'won' | 'lost';
  required: string[];
  reasons?: LostReasonView[];
}

export interface PipelineView {
  key: string;
  kind: Kind;
  name?: string | null;
  team: string | null;
  can_move: boolean;
  stages: StageView[];
  /** Which fields a card shows, in order (the pipeline's `board.card_fields`). */
  board?: { card_fields: string[] };
}

export interface FieldView {
  id: string;
  label: string;
  type: string;
  values?: string[];
}

export interface PipelinesResponse {
  user: SessionUser;
  locale: string;
  leads: PipelineView;
  deals: PipelineView[];
  field_labels: Record<string, string>;
  fields: FieldView[];
  users: Array<{ login: string; name: string }>;
  source_labels: Record<string, string>;
}

export interface ItemView {
  id: number;
  kind: Kind;
  pipeline: string;
  stage: string;
  title: string | null;
  name: string | null;
  phone: string | null;
  phone_display: string | null;
  email: string | null;
  company_name: string | null;
  source: string | null;
  responsible: string | null;
  fields: Record<string, unknown>;
  lost_reason: string | null;
  refused_by: string | null;
  score: number;
  tags: string[];
  entered_stage_at: string;
  created_at: string;
  updated_at: string;
  amount?: number | null;
  deal_id?: number | null;
  lead_id?: number | null;
}

/** A page of a list, as the server's schema says (its items typed as the board reads them). */
export type ItemListResponse = Omit<z.output<typeof ServerItemListResponse>, 'items'> & { items: ItemView[] };

export interface BoardColumn {
  stage: string;
  count: number;
  sum: number;
}

export interface BoardResponse {
  columns: BoardColumn[];
  /** The server's time when it answered (ms). */
  now?: number;
}

/** A `GET /api/stream` `item` event (server/http/routes/stream.ts). */
export interface ItemEvent {
  kind: Kind;
  id: number;
  change: 'created' | 'moved' | 'updated';
  stage: string;
  pipeline: string;
  item: ItemView;
}

/** A `config` event: the running config was replaced (a reload of the file, or someone's apply). */
export type { ConfigChanged as ConfigEvent } from '../../../server/config-ops/versions';

/** A `notification` event: its shape is the notifier's; the bell shows its text and link. */
export interface NotificationEvent {
  id?: number | string;
  text?: string;
  title?: string;
  link?: string;
  item?: { kind: Kind; id: number };
  created_at?: string;
}
