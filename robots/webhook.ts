import { z } from 'zod';
import { SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from '../server/core/payload-signing';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../server/core/errors';
import type { HttpAnswer } from './contract';
import { defineRobot } from './contract';

const NOT_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An outgoing POST to another system, signed with HMAC-SHA256 and carrying an idempotency key. */
export const webhook = defineRobot({
  type: 'webhook',
  description: 'POST the item as JSON to a URL, signed with HMAC-SHA256 over timestamp + body',
  params: z.object({
    url: z.url(),
    secret_env: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .optional()
      .describe('Environment variable holding the signing secret'),
    timeout: z.number().int().positive().default(10000).describe('Milliseconds'),
  }),
  async run(context) {
    const { params, ports, item, run, now } = context;
    const timestamp = String(Math.floor(now / 1000));
    const body = JSON.stringify({ event: 'robot.webhook', robot: run.robotId, run: run.id, stage: item.row.stage, item: context.context.item });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': `run:${run.id}`, [TIMESTAMP_HEADER]: timestamp };
    const secret = params.secret_env ? process.env[params.secret_env] : undefined;
    if (params.secret_env && !secret) throw new PermanentSendError(`environment variable ${params.secret_env} is not set`);
    if (secret) headers[SIGNATURE_HEADER] = signPayload(secret, timestamp, body);
    let answer: HttpAnswer;
    try {
      answer = await ports.post(params.url, { headers, body, timeoutMs: params.timeout });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      // These fail before the request leaves: nothing arrived, so a retry cannot double it.
      if (cause && NOT_SENT.has(cause)) throw new RetryableSendError(`webhook ${params.url} unreachable (${cause})`);
      // The request may have arrived: the receiver dedupes on the idempotency key, so a retry is safe,
      // but we say so rather than pretend it failed cleanly.
      throw new OutcomeUnknownError(`webhook ${params.url}: no answer (${(error as Error).message})`);
    }
    const text = answer.text.slice(0, 300);
    if (answer.status === 408 || answer.status === 429 || answer.status >= 500) throw new RetryableSendError(`webhook answered ${answer.status}: ${text}`, answer.retryAfterMs);
    if (answer.status >= 400) throw new PermanentSendError(`webhook answered ${answer.status}`, text);
    return { outcome: 'done', detail: `POST ${params.url} → ${answer.status}`, reason: { code: 'done.webhook', params: { url: params.url, status: answer.status } } };
  },
});
