import net from 'node:net';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { createApp } from '../../server/http/app';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/** Sends raw bytes and resolves with the status line the server answers, or `no answer` after `waitMs`. */
function rawRequest(port: number, head: string, body: string, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.createConnection(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no answer');
    }, waitMs);
    socket.on('data', (chunk) => {
      answer += chunk;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer.split('\r\n')[0] ?? '');
    });
    socket.on('error', () => undefined);
    socket.write(`${head}\r\n\r\n${body}`);
  });
}

describe.each(testDatabaseKinds())('request edges on %s', (kind) => {
  let harness: Harness;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    harness = await startHarness(kind);
    server = http.createServer(createApp(harness.runtime));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await harness.close();
  });

  it.each(['/api/leads', '/forms/contact', '/hooks/billing', '/auth/login'])('a body declaring 10 GB and sending 12 bytes to %s is refused with 413 at once', async (path) => {
    const status = await rawRequest(port, `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10737418240`, '{"a":123456}', 3000);
    expect(status).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('a body of 20,000 unknown keys gets a short problem: 50 errors listed, the rest counted', async () => {
    const body = Object.fromEntries(Array.from({ length: 20_000 }, (_, index) => [`k${index}`, 1]));
    const answer = await harness
      .as('root')
      .post('/api/leads', { name: 'Иван', ...body })
      .expect(400);
    expect(answer.body.errors).toHaveLength(50);
    expect(answer.body.errors_not_listed).toBe(19_950);
    expect(answer.text.length).toBeLessThan(10_000);
  });

  it('an empty lead is refused, naming what it needs, and nothing is written', async () => {
    const refused = await harness.as('root').post('/api/leads', { company_name: 'ООО «Ромашка»' }).expect(400);
    expect(JSON.stringify(refused.body)).toContain('a lead needs at least a name, a phone or an email');
    await harness.as('root').post('/api/leads', {}).expect(400);
    expect((await harness.as('root').get('/api/leads').expect(200)).body.total).toBe(0);
    await harness.as('root').post('/api/leads', { phone: '8 (916) 123-45-67' }).expect(201);
  });
});
