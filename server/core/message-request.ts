import type { ChannelNameType } from '../../config/schema';
import type { EntityKind } from './rows';

/** One outgoing message; the idempotency key makes a second request for it a no-op (semantics 5). */
export interface MessageRequest {
  idempotencyKey: string;
  runId: number | null;
  entity: { kind: EntityKind; id: number } | null;
  channel: ChannelNameType;
  audience: 'client' | 'user';
  recipient: string;
  recipientLogin?: string | null;
  template?: string | null;
  subject?: string | null;
  body: string;
  html?: string | null;
  meta?: Record<string, unknown>;
}
