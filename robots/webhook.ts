import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../server/engine/errors';
import { defineRobot } from './define';

export const SIGNATURE_HEADER = 'x-robots-signature';
export const TIMESTAMP_HEADER = 'x-robots-timestamp';

/** `sha256=<hex>` over `timestamp.body`: the receiver recomputes it with the shared secret. */
export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** An outgoing POST to another system, signed with HMAC-SHA256 and carrying an idempotency key. */
export const webhook = defineRobot({
  type: 'webhook',
  description: 'POST the item as JSON to a URL, signed with HMAC-SHA256 over timestamp + body',
  params: z.object({
    url: z.url(),
    secret_env: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional().describe('Environment variable holding the signing secret'),
    timeout: z.number().int().positive().default(10000).describe('Milliseconds'),
  }),
  async run(context) {
    const { params, engine, item, run } = context;
    const timestamp = String(Math.floor(engine.now() / 1000));
    const body = JSON.stringify({ event: 'robot.webhook', robot: run.robotId, run: run.id, stage: item.row.stage, item: context.context.item });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': `run:${run.id}`, [TIMESTAMP_HEADER]: timestamp };
    const secret = params.secret_env ? process.env[params.secret_env] : undefined;
    if (params.secret_env && !secret) throw new PermanentSendError(`environment variable ${params.secret_env} is not set`);
    if (secret) headers[SIGNATURE_HEADER] = signPayload(secret, timestamp, body);
    let response: Response;
    try {
      response = await fetch(params.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(params.timeout) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNREFUSED' || cause === 'ENOTFOUND') throw new RetryableSendError(`webhook ${params.url} unreachable (${cause})`);
      // The request may have arrived: the receiver dedupes on the idempotency key, so a retry is safe,
      // but we say so rather than pretend it failed cleanly.
      throw new OutcomeUnknownError(`webhook ${params.url}: no answer (${(error as Error).message})`);
    }
    const answer = (await response.text()).slice(0, 300);
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new RetryableSendError(`webhook answered ${response.status}: ${answer}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
    }
    if (response.status >= 400) throw new PermanentSendError(`webhook answered ${response.status}`, answer);
    return { outcome: 'done', detail: `POST ${params.url} → ${response.status}` };
  },
});
