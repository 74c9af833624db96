import { simpleParser, type AddressObject } from 'mailparser';
import { messageIdInReply } from '../channels/email';
import { MessageEntity } from '../db/entities';
import type { InboundDeps } from './ingest';
import { recordInboundMessage } from './replies';

const MAILER_DAEMON = /^(mailer-daemon|postmaster)@/i;

function firstAddress(from: AddressObject | AddressObject[] | undefined): string | null {
  const list = Array.isArray(from) ? from : from ? [from] : [];
  return list.flatMap((entry) => entry.value).find((address) => address.address)?.address ?? null;
}

/** Why a DSN says the mail did not arrive: its Diagnostic-Code, else its Status, else the subject. */
function bounceReason(raw: string, subject: string | undefined): string {
  const diagnostic = /^Diagnostic-Code:\s*(.+(?:\r?\n[ \t].+)*)/im.exec(raw)?.[1];
  if (diagnostic) return diagnostic.replace(/\r?\n[ \t]+/g, ' ').trim();
  const status = /^Status:\s*(\d\.\d+\.\d+)/im.exec(raw)?.[1];
  if (status) return `status ${status}`;
  return subject ?? 'bounced';
}

export type InboundEmailOutcome = { kind: 'reply'; messageId: number; outcome: string; optedOut: boolean } | { kind: 'bounce'; original: number | null; reason: string };

/**
 * A raw RFC 822 message that reached our mailbox. A delivery status notification (RFC 3464,
 * or anything from MAILER-DAEMON) marks the original message failed instead of counting as a
 * reply; anything else is the client's reply, matched by In-Reply-To/References to our
 * Message-ID, then by the sender's address.
 */
export async function receiveEmail(deps: InboundDeps, raw: Buffer): Promise<InboundEmailOutcome> {
  const text = raw.toString('utf8');
  const parsed = await simpleParser(raw);
  const from = firstAddress(parsed.from) ?? '';
  const contentType = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const isReport = contentType?.value === 'multipart/report' && contentType.params?.['report-type'] === 'delivery-status';
  if (isReport || MAILER_DAEMON.test(from)) {
    // The DSN quotes the original headers, our Message-ID among them.
    const original = messageIdInReply(text);
    const reason = bounceReason(text, parsed.subject);
    if (original !== null) {
      await deps.store.transaction((manager) => manager.update(MessageEntity, { id: original, direction: 'out' }, { status: 'failed', error: `bounced: ${reason}` }));
      const message = await deps.store.manager.findOne(MessageEntity, { where: { id: original } });
      if (message?.entityType && message.entityId) {
        await deps.records.recordEvent({
          type: 'email_bounced',
          entity: { kind: message.entityType, id: message.entityId },
          actor: 'channel:email',
          payload: { message_id: original, reason },
          outcome: `email #${original} to ${message.recipient} bounced: ${reason}`,
        });
      }
    }
    return { kind: 'bounce', original, reason };
  }
  const inReplyTo = [parsed.inReplyTo ?? '', ...(Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : [])].join(' ');
  const replyTo = messageIdInReply(inReplyTo);
  const body = (parsed.text ?? '').trim();
  const { message, result, optedOut } = await recordInboundMessage(deps, {
    channel: 'email',
    from,
    body: body || parsed.subject || '',
    subject: parsed.subject ?? null,
    replyToMessageId: replyTo,
    providerId: parsed.messageId ?? null,
  });
  return { kind: 'reply', messageId: message.id, outcome: result?.outcome ?? 'received already', optedOut };
}
