import type { OutgoingMessage } from '../../server/channels/channel';

let nextId = 1000;

/** An outgoing message whose every field has a valid default; tests override what they are about. */
export function outgoingMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const id = overrides.id ?? nextId++;
  return {
    id,
    idempotencyKey: `test:${id}`,
    channel: 'outbox',
    audience: 'client',
    recipient: 'client@example.test',
    subject: 'Your quote is ready',
    body: 'Hello! Your quote is ready.',
    html: null,
    meta: {},
    ...overrides,
  };
}
