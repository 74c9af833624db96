import request from 'supertest';
import { MessageEntity } from '../../server/db/entities';
import { unsubscribeUrl } from '../../server/core/tracking';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/** The unsubscribe link every client email carries (List-Unsubscribe) writes the opt-out into the consent register. */
const CONFIG = `
timezone: Europe/Moscow
locale: ru
default_region: RU
users:
  - { login: root, name: Корнеев Admin, role: admin }
leads:
  stages:
    - id: new
    - id: touch
      robots:
        - { id: letter, type: send_message, channel: email, text: "Здравствуйте, {{item.name}}! Подобрали для вас три варианта." }
`;

const EMAIL = 'maria@kuznetsova.ru';

describe.each(testDatabaseKinds())('the unsubscribe link of a client email, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const touch = async (name: string) => {
    const id = (await harness.as('root').post('/api/leads', { name, email: EMAIL }).expect(201)).body.id as number;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'touch' }).expect(200);
    await harness.runDue();
    const runs = (await harness.as('root').get(`/api/leads/${id}/timeline`).expect(200)).body.timeline.filter((entry: { type: string }) => entry.type === 'robot_run');
    return { id, letter: runs.find((run: { robot: string }) => run.robot === 'letter')?.status as string };
  };
  const linkPath = (messageId: number, leadId: number, secret = harness.runtime.trackingSecret) => new URL(unsubscribeUrl({ messageId, item: { kind: 'lead', id: leadId } }, 'http://crm.test', secret)).pathname;
  const emailOptOuts = () => harness.runtime.store.manager.query("SELECT address, status, source FROM consents WHERE channel = 'email'");

  it('asks first, records the opt-out on the button, and the next letter to that address is not sent', async () => {
    const first = await touch('Мария Кузнецова');
    expect(first.letter).toBe('done');
    const message = await harness.runtime.store.manager.findOneByOrFail(MessageEntity, { entityType: 'lead', entityId: first.id, channel: 'email' });
    const path = linkPath(message.id, first.id);

    // A mail scanner opening the link changes nothing: the page asks.
    const page = await request(harness.app).get(path).expect(200);
    expect(page.text).toContain(`Больше не присылать письма на ${EMAIL}?`);
    expect(page.text).toContain('Отписаться');
    expect(await emailOptOuts()).toEqual([]);

    const done = await request(harness.app).post(path).expect(200);
    expect(done.text).toContain(`Готово: на ${EMAIL} больше не придут наши письма.`);
    expect(await emailOptOuts()).toEqual([{ address: EMAIL, status: 'opt_out', source: 'unsubscribe_link' }]);

    // Another card of the same client: the register holds for the address.
    expect((await touch('Мария Кузнецова (повторно)')).letter).toBe('skipped');
  });

  it('a link signed by another install, or for a message that was not a client email, is not found and records nothing', async () => {
    const first = await touch('Олег Смирнов');
    const message = await harness.runtime.store.manager.findOneByOrFail(MessageEntity, { entityType: 'lead', entityId: first.id, channel: 'email' });
    await request(harness.app)
      .post(linkPath(message.id, first.id, 'another-install-secret-of-thirty-two-bytes!'))
      .expect(404);
    await request(harness.app)
      .post(linkPath(message.id + 1000, first.id))
      .expect(404);
    expect(await emailOptOuts()).toEqual([]);
  });
});
