import { createHmac } from 'node:crypto';
import { webhook } from '../../../robots/webhook';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../../../server/core/errors';
import type { HttpAnswer } from '../../../robots/contract';
import { loadFixture, leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { FIXTURE_NOW } from '../../support/rows';
import { nth } from '../../support/lists';

const SECRET_ENV = 'ROBOTS_UNIT_WEBHOOK_SECRET';
const UNSET_ENV = 'ROBOTS_UNIT_WEBHOOK_SECRET_NEVER_SET';

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'crm_sync', type: 'webhook', url: 'https://hooks.example.com/crm', secret_env: SECRET_ENV, timeout: 5000 },
        { id: 'unsigned_sync', type: 'webhook', url: 'https://hooks.example.com/plain' },
        { id: 'misconfigured_sync', type: 'webhook', url: 'https://hooks.example.com/crm', secret_env: UNSET_ENV },
      ],
    },
  },
});

/** What fetch throws when it never reached the server: a TypeError whose cause carries the system error code. */
function networkError(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} hooks.example.com:443`), { code }) });
}

describe('webhook', () => {
  beforeEach(() => {
    process.env[SECRET_ENV] = 'shh-its-a-secret';
    delete process.env[UNSET_ENV];
  });
  afterEach(() => {
    delete process.env[SECRET_ENV];
  });

  it('POSTs the item as JSON with the run as idempotency key', async () => {
    const ports = new FakePorts(config);
    const context = runContext(webhook, 'unsigned_sync', ports, { lead: { id: 9, fields: { product: 'Chairs' } }, run: { id: 12 } });

    const outcome = await webhook.run(context);

    expect(ports.posts).toHaveLength(1);
    const post = nth(ports.posts, 0);
    expect(post.url).toBe('https://hooks.example.com/plain');
    expect(post.timeoutMs).toBe(10000);
    expect(post.headers).toEqual({ 'content-type': 'application/json', 'idempotency-key': 'run:12', 'x-robots-timestamp': String(FIXTURE_NOW / 1000) });
    expect(JSON.parse(post.body)).toEqual({
      event: 'robot.webhook',
      robot: 'unsigned_sync',
      run: 12,
      stage: 'in_work',
      item: JSON.parse(JSON.stringify(context.context.item)),
    });
    expect(JSON.parse(post.body).item).toMatchObject({ id: 9, kind: 'lead', name: 'Ivan Petrov', fields: { product: 'Chairs' } });
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'POST https://hooks.example.com/plain → 200' });
  });

  it('signs the body with HMAC-SHA256 over timestamp.body, so the receiver can check it', async () => {
    const ports = new FakePorts(config);

    await webhook.run(runContext(webhook, 'crm_sync', ports));

    const post = nth(ports.posts, 0);
    const timestamp = post.headers['x-robots-timestamp'];
    const expected = createHmac('sha256', 'shh-its-a-secret').update(`${timestamp}.${post.body}`).digest('hex');
    expect(post.headers['x-robots-signature']).toBe(`sha256=${expected}`);
    expect(post.timeoutMs).toBe(5000);
  });

  it('fails the run for good, sending nothing, when the secret is not in the environment', async () => {
    const ports = new FakePorts(config);

    const run = webhook.run(runContext(webhook, 'misconfigured_sync', ports));

    await expect(run).rejects.toThrow(PermanentSendError);
    await expect(run).rejects.toThrow(`environment variable ${UNSET_ENV} is not set`);
    expect(ports.posts).toEqual([]);
  });

  it.each([200, 201, 202, 204])('is done when the receiver answers %i', async (status) => {
    const ports = new FakePorts(config, { httpAnswer: { status, text: '' } });

    await expect(webhook.run(runContext(webhook, 'crm_sync', ports))).resolves.toMatchObject({ outcome: 'done', detail: `POST https://hooks.example.com/crm → ${status}` });
  });

  it('signs the body and a 503 is retried: the retry carries the same idempotency key and signature', async () => {
    const ports = new FakePorts(config, {
      httpAnswers: [
        { status: 503, text: 'upstream down' },
        { status: 200, text: 'ok' },
      ],
    });
    const context = runContext(webhook, 'crm_sync', ports);

    await expect(webhook.run(context)).rejects.toThrow(RetryableSendError);
    await expect(webhook.run({ ...context, run: { ...context.run, attempts: 1 } })).resolves.toMatchObject({ outcome: 'done' });

    const [first, retry] = [nth(ports.posts, 0), nth(ports.posts, 1)];
    expect(retry.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
    expect(retry.headers['x-robots-signature']).toBe(first.headers['x-robots-signature']);
    expect(retry.body).toBe(first.body);
  });

  it.each<[string, HttpAnswer, number | undefined]>([
    ['429 with Retry-After', { status: 429, text: 'slow down', retryAfterMs: 30_000 }, 30_000],
    ['500', { status: 500, text: 'boom' }, undefined],
    ['502', { status: 502, text: 'bad gateway' }, undefined],
    ['408', { status: 408, text: 'request timeout' }, undefined],
    ['503 with Retry-After', { status: 503, text: 'maintenance', retryAfterMs: 120_000 }, 120_000],
  ])('retries later after a %s, when the receiver asked', async (_, answer, retryAfterMs) => {
    const ports = new FakePorts(config, { httpAnswer: answer });

    const run = webhook.run(runContext(webhook, 'crm_sync', ports));

    await expect(run).rejects.toThrow(RetryableSendError);
    await expect(run).rejects.toMatchObject({ retryAfterMs, message: `webhook answered ${answer.status}: ${answer.text}` });
  });

  it.each([400, 401, 403, 404, 410, 422])('a %i fails the run for good, with what the receiver said', async (status) => {
    const ports = new FakePorts(config, { httpAnswer: { status, text: 'no such customer' } });

    const run = webhook.run(runContext(webhook, 'crm_sync', ports));

    await expect(run).rejects.toThrow(PermanentSendError);
    await expect(run).rejects.toMatchObject({ message: `webhook answered ${status}`, providerMessage: 'no such customer' });
  });

  it("keeps only the first 300 characters of the receiver's answer", async () => {
    const ports = new FakePorts(config, { httpAnswer: { status: 400, text: 'x'.repeat(5000) } });

    await expect(webhook.run(runContext(webhook, 'crm_sync', ports))).rejects.toMatchObject({ providerMessage: 'x'.repeat(300) });
  });

  it.each([
    ['the connection was refused', networkError('ECONNREFUSED')],
    ['the host name does not resolve', networkError('ENOTFOUND')],
    ['name resolution failed for now', networkError('EAI_AGAIN')],
    ['the connection timed out before it was made', networkError('UND_ERR_CONNECT_TIMEOUT')],
  ])('retries later when %s (the request never left)', async (_, error) => {
    const ports = new FakePorts(config, { httpAnswer: error });

    const run = webhook.run(runContext(webhook, 'crm_sync', ports));

    await expect(run).rejects.toThrow(RetryableSendError);
    await expect(run).rejects.toThrow(/^webhook https:\/\/hooks\.example\.com\/crm unreachable \([A-Z_]+\)$/);
  });

  it.each([
    ['timed out', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['was cut off mid-way', networkError('ECONNRESET')],
    ['failed without a code', new Error('socket hang up')],
  ])('a request that got no answer is outcome unknown (it %s)', async (_, error) => {
    const ports = new FakePorts(config, { httpAnswer: error });

    const run = webhook.run(runContext(webhook, 'crm_sync', ports));

    await expect(run).rejects.toThrow(OutcomeUnknownError);
    await expect(run).rejects.toThrow(`webhook https://hooks.example.com/crm: no answer (${error.message})`);
  });

  it('runs as written in a fixture, defaults filled in by the loader', async () => {
    const ports = new FakePorts(loadFixture('semantics.yaml'));

    await webhook.run(runContext(webhook, 'hook', ports));

    expect(ports.posts.map((post) => [post.url, post.timeoutMs, post.headers['x-robots-signature']])).toEqual([['http://127.0.0.1:1/unused', 10000, undefined]]);
  });
});
