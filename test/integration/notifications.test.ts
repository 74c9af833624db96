import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createToken } from '../../server/auth/users';
import { RetryableSendError } from '../../server/core/errors';
import { testDatabaseKinds } from '../support/databases';
import { MINUTE, startHarness, type Harness } from '../support/harness';

/**
 * What robots send a person (alerts, escalations, tasks given to them) is also in their list on
 * the web, written with the send (never lost, never twice), and arrives live on their own stream.
 */
const CONFIG = `
timezone: Europe/Moscow
locale: ru
engine: { retry_backoff: 1m }
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general, telegram_chat_id: "1001" }
  - { login: galya, name: Галина Смирнова, role: sales, team: general, telegram_chat_id: "1002" }
  - { login: gm, name: Михаил Главный, role: manager, team: general, telegram_chat_id: "1003" }
teams:
  general: { members: [gena, galya], manager: gm }
leads:
  team: general
  stages:
    - id: new
      robots:
        - id: hot_alert
          type: notify
          to: [responsible, manager]
          buttons: false
          text: "🔥 Горячий лид {{item.name}}, {{item.phone}}"
          escalate:
            - { after: 30m, to: [manager] }
    - id: in_work
`;

interface NotificationView {
  id: number;
  kind: string;
  text: string;
  item?: { kind: string; id: number; title: string };
  at: string;
  read: boolean;
}

/** A person's open page: reads `event: notification` frames off a real SSE connection. */
class StreamReader {
  readonly notifications: NotificationView[] = [];
  private readonly controller = new AbortController();

  private constructor(private readonly response: Response) {
    void this.pump();
  }

  static async open(url: string, token: string): Promise<StreamReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    const reader = new StreamReader(response);
    reader.abort = () => controller.abort();
    return reader;
  }

  abort: () => void = () => this.controller.abort();

  private async pump(): Promise<void> {
    const reader = this.response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event === 'notification' && data) this.notifications.push(JSON.parse(data) as NotificationView);
        }
      }
    } catch {
      // aborted
    }
  }

  async until(count: number, timeoutMs = 2000): Promise<NotificationView[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.notifications.length < count) {
      if (Date.now() > deadline) throw new Error(`${count} notifications did not arrive (got ${JSON.stringify(this.notifications)})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.notifications;
  }
}

describe.each(testDatabaseKinds())('in-app notifications, on %s', (kind) => {
  let harness: Harness;
  /** Telegram as a provider: chat 1003 (the manager) fails once with a timeout, then works. */
  let failuresLeft: number;
  const sent: string[] = [];

  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
    failuresLeft = 0;
    sent.length = 0;
    harness.runtime.channels.register('telegram', {
      name: 'flaky-telegram',
      send: async (message) => {
        if (message.recipient === '1003' && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new RetryableSendError('telegram timed out');
        }
        sent.push(`${message.recipient}: ${message.body}`);
        return { status: 'sent', providerId: `tg-${message.id}`, deliveredVia: 'telegram' };
      },
    });
  });
  afterEach(async () => {
    await harness.close();
  });

  const list = async (login: string, query = '') => (await harness.as(login).get(`/api/notifications${query}`).expect(200)).body as { items: NotificationView[]; unread: number };

  it('an alert is in the list of each person it went to, with its text as sent and the lead it is about; read one, then all', async () => {
    const id = (await harness.as('gena').post('/api/leads', { name: 'Иван Петров', phone: '8 916 123-45-67' }).expect(201)).body.id;
    await harness.runDue();
    const mine = await list('gena');
    expect(mine).toEqual({
      items: [{ id: expect.any(Number), kind: 'alert', text: '🔥 Горячий лид Иван Петров, +79161234567', item: { kind: 'lead', id, title: 'Иван Петров' }, at: '2026-03-02T06:00:00.000Z', read: false }],
      unread: 1,
    });
    expect((await list('gm')).items.map((item) => item.kind)).toEqual(['alert']);
    expect(await list('galya')).toEqual({ items: [], unread: 0 });

    await harness.advance(31 * MINUTE);
    const manager = await list('gm', '?unread=true&limit=10');
    expect(manager.items.map((item) => item.kind)).toEqual(['escalation', 'alert']);
    expect(manager.unread).toBe(2);

    // Someone else's notification does not exist for you.
    await harness.as('galya').post(`/api/notifications/${mine.items[0]!.id}/read`).expect(404);
    expect(await harness.as('gm').post(`/api/notifications/${manager.items[0]!.id}/read`).expect(200)).toMatchObject({ body: { read: true, unread: 1 } });
    expect((await list('gm', '?unread=true')).items.map((item) => item.kind)).toEqual(['alert']);
    expect((await harness.as('gm').post('/api/notifications/read-all').expect(200)).body).toEqual({ marked: 1, unread: 0 });
    expect((await list('gm')).items.map((item) => item.read)).toEqual([true, true]);
    await harness.as('gm').get('/api/notifications?unread=yes').expect(400);
  });

  it('a run retried after a failed send, and the same send asked twice at once, leave one notification each', async () => {
    failuresLeft = 1;
    await harness.as('gena').post('/api/leads', { name: 'Ольга Сидорова', phone: '+7 (916) 765-43-21' }).expect(201);
    await harness.runDue();
    const run = (await harness.as('root').get('/api/runs?robot=hot_alert').expect(200)).body.runs[0];
    expect(run).toMatchObject({ status: 'failed' });
    expect((await list('gena')).items).toHaveLength(1);
    // The retry sends gena's message again under the same key: found, not resent, not noted again.
    await harness.advance(2 * MINUTE);
    expect((await harness.as('root').get('/api/runs?robot=hot_alert').expect(200)).body.runs[0]).toMatchObject({ status: 'done' });
    expect((await list('gena')).items).toHaveLength(1);
    expect((await list('gm')).items).toHaveLength(1);
    expect(sent.filter((line) => line.startsWith('1001:'))).toHaveLength(1);

    const request = { idempotencyKey: 'run:9999:user:galya', runId: null, entity: null, channel: 'telegram' as const, audience: 'user' as const, recipient: '1002', recipientLogin: 'galya', body: 'Проверка' };
    // Two workers at once: on Postgres the second may find the first mid-send and leave it in doubt (never resent).
    await Promise.allSettled([harness.runtime.messaging.send(request), harness.runtime.messaging.send(request)]);
    await harness.runtime.messaging.send(request);
    expect((await list('galya')).items.map((item) => item.text)).toEqual(['Проверка']);
    expect(sent.filter((line) => line === '1002: Проверка')).toHaveLength(1);
  });

  it('the same send asked by four workers at once, round after round, reaches the person once and notes it once', async () => {
    const rounds = 40;
    for (let round = 0; round < rounds; round += 1) {
      const request = { idempotencyKey: `race:${round}`, runId: null, entity: null, channel: 'telegram' as const, audience: 'user' as const, recipient: '1002', recipientLogin: 'galya', body: `Гонка ${round}` };
      await Promise.allSettled([1, 2, 3, 4].map(() => harness.runtime.messaging.send(request)));
      // Whoever lost the race left it to the winner: asked again now, it is found sent, not sent again.
      await harness.runtime.messaging.send(request);
    }
    const counts = new Map<string, number>();
    for (const line of sent) counts.set(line, (counts.get(line) ?? 0) + 1);
    expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
    expect(counts.size).toBe(rounds);
    expect((await list('galya', '?limit=100')).items).toHaveLength(rounds);
  });

  it('a task given to a colleague, or handed over, is in their list; one taken by oneself is not', async () => {
    const id = (await harness.as('gena').post('/api/leads', { name: 'Мария Кузнецова' }).expect(201)).body.id;
    await harness.runDue();
    const before = (await list('galya')).items.length;
    await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'Сам себе', due_at: '2026-03-02T18:00:00+03:00' }).expect(201);
    const given = await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'Позвонить в бухгалтерию', due_at: '2026-03-02T18:00:00+03:00', assignee: 'galya' }).expect(201);
    const own = await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'Отправить счёт', due_at: '2026-03-03T12:00:00+03:00' }).expect(201);
    await harness.as('gena').patch(`/api/tasks/${own.body.id}`, { assignee: 'galya' }).expect(200);
    const galya = (await list('galya')).items.slice(0, (await list('galya')).items.length - before);
    expect(galya.map((item) => [item.kind, item.text])).toEqual([
      ['task', '📝 Вам передана задача: «Отправить счёт», срок 03.03 12:00 (от gena)'],
      ['task', '📝 Новая задача: «Позвонить в бухгалтерию», срок 02.03 18:00 (от gena)'],
    ]);
    expect(given.body.assignee).toBe('galya');
    expect((await list('gena')).items.filter((item) => item.kind === 'task')).toEqual([]);
  });

  describe('live', () => {
    let server: http.Server;
    let base: string;
    const readers: StreamReader[] = [];
    beforeEach(async () => {
      server = http.createServer(harness.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      readers.splice(0).forEach((reader) => reader.abort());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const open = async (login: string) => {
      const reader = await StreamReader.open(`${base}/api/stream`, await createToken(harness.runtime.store, login, harness.clock.now()));
      readers.push(reader);
      return reader;
    };

    it('a notification arrives on the stream of its person, and not on a colleague’s', async () => {
      const gena = await open('gena');
      const galya = await open('galya');
      const id = (await harness.as('gena').post('/api/leads', { name: 'Пётр Иванов', phone: '8 903 111-22-33' }).expect(201)).body.id;
      await harness.runDue();
      const [alert] = await gena.until(1);
      expect(alert).toMatchObject({ kind: 'alert', text: '🔥 Горячий лид Пётр Иванов, +79031112233', item: { kind: 'lead', id }, read: false });
      // A task handed to galya reaches her alone, after gena's alert: had the alert gone to her too, it would be here first.
      await harness.as('gena').post('/api/tasks', { kind: 'lead', id, title: 'Подготовить договор', due_at: '2026-03-02T18:00:00+03:00', assignee: 'galya' }).expect(201);
      const [task] = await galya.until(1);
      expect(task).toMatchObject({ kind: 'task', text: expect.stringContaining('Подготовить договор') });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(galya.notifications).toHaveLength(1);
      expect(gena.notifications).toHaveLength(1);
    });
  });
});
