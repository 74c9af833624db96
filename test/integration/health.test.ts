import request from 'supertest';
import { testDatabaseKinds } from '../support/databases';
import { HOUR, startHarness, type Harness } from '../support/harness';

const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
leads:
  stages:
    - id: new
    - id: alerted
      robots:
        - { id: tell_root, type: notify, to: [root], text: "Lead {{item.id}}" }
        - { id: later, type: notify, to: [root], after: 1h, text: "Later {{item.id}}" }
`;

describe.each(testDatabaseKinds())('health and metrics on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close().catch(() => undefined);
  });

  async function moveNewLead() {
    const id = (await harness.as('root').post('/api/leads', { name: 'Client' }).expect(201)).body.id as number;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'alerted' }).expect(200);
    return id;
  }

  it('/healthz shows the queue as it stands: depth by status and how late the oldest due run is', async () => {
    await moveNewLead();
    harness.clock.advance(90_000); // both runs' worker is away: the immediate one is 90 s late
    const health = (await request(harness.app).get('/healthz').expect(200)).body;
    expect(health.status).toBe('ok');
    expect(health.queue.by_status).toMatchObject({ scheduled: 2, done: 0, dead: 0, unknown: 0 });
    expect(health.queue.oldest_due_lag_seconds).toBe(90);
    await harness.runDue();
    const after = (await request(harness.app).get('/healthz').expect(200)).body;
    expect(after.queue.by_status).toMatchObject({ scheduled: 1, done: 1 });
    expect(after.queue.oldest_due_lag_seconds).toBe(0);
  });

  it('/healthz answers 503 when the database does not answer', async () => {
    await harness.runtime.store.dataSource.destroy();
    const health = await request(harness.app).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable' });
    expect(health.body.database_error).toEqual(expect.any(String));
  });

  it('while the database is away the API answers 503 with Retry-After, and /metrics says the database is down', async () => {
    await moveNewLead();
    expect((await request(harness.app).get('/metrics').expect(200)).text).toContain('robots_database_up 1');
    await harness.runtime.store.dataSource.destroy();
    const answer = await harness.as('root').get('/api/leads').expect(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.body).toMatchObject({ code: 'database.unavailable', status: 503 });
    const metrics = (await request(harness.app).get('/metrics').expect(200)).text;
    expect(metrics).toContain('robots_database_up 0');
    expect(metrics).not.toMatch(/robots_queue_runs\{status="scheduled"\} \d/);
  });

  it('/metrics counts runs, sends and requests by route, in Prometheus text', async () => {
    const id = await moveNewLead();
    await harness.runDue();
    await harness.advance(HOUR);
    await harness.as('root').get(`/api/leads/${id}`).expect(200);
    const metrics = await request(harness.app).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toContain('robots_runs_total{status="done",type="notify"} 2');
    expect(metrics.text).toContain('robots_messages_total{channel="outbox",outcome="recorded"} 2');
    expect(metrics.text).toMatch(/robots_http_requests_total\{method="GET",route="\/api\/leads\/:id",status="200"\} 1/);
    expect(metrics.text).toContain('robots_queue_runs{status="done"} 2');
    expect(metrics.text).toMatch(/robots_run_due_lag_seconds_count 2/);
  });
});
