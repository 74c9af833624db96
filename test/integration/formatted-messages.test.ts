import fs from 'node:fs';
import path from 'node:path';
import { testDatabaseKinds } from '../support/databases';
import { HOUR, startHarness, type Harness } from '../support/harness';

const CLINIC = path.join(__dirname, '..', '..', 'examples', 'clinic.yaml');

/** The clinic example as it is, plus one named template for the studio's preview. */
const CONFIG = `${fs.readFileSync(CLINIC, 'utf8')}
templates:
  visit_card:
    channel: sms
    text: "{{item.name}}, приём {{date item.fields.appointment_at 'd MMMM в HH:mm'}}: {{list item.fields.services}}. Телефон: {{phone item.phone}}. Отправлено {{touches_sent}} {{plural touches_sent 'сообщение' 'сообщения' 'сообщений'}}. Врач: {{default item.fields.doctor 'назначим'}}."
`;

/** Intl separates thousands and a currency sign with no-break spaces; people read spaces. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe.each(testDatabaseKinds())('messages on the clinic example show dates, lists and phones the way patients read them, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    // Monday 2 March 2026, 09:00 Moscow
    harness = await startHarness(kind, { configText: CONFIG.replace('  services:', '  doctor: { type: user }\n  services:') });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function bookedPatient(appointmentAt: string): Promise<number> {
    const api = harness.as('irina');
    const id = (await api.post('/api/leads', { name: 'Анна Кузнецова', phone: '8 916 123-45-67', fields: { appointment_at: appointmentAt, services: ['checkup', 'cleaning'] } }).expect(201)).body.id as number;
    await harness.runDue();
    await api.post(`/api/leads/${id}/move`, { stage: 'booked' }).expect(200);
    await harness.runDue();
    return id;
  }

  it('the reminder a day before says "3 марта в 10:00" in Moscow time, not the stored UTC timestamp', async () => {
    const id = await bookedPatient('2026-03-03T10:00:00+03:00');
    await harness.advance(2 * HOUR);
    const messages = (await harness.as('admin').get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string; channel: string }>;
    const reminder = messages.find((message) => message.channel === 'sms' && /ждём вас|Напоминаем/.test(message.body));
    expect(reminder?.body).toMatch(/3 марта в 10:00/);
    expect(reminder?.body).not.toMatch(/2026-03-03T/);
  });

  it('the studio previews a template with the helpers, as a send renders it', async () => {
    // 00:30 on the 4th in Moscow is still the 3rd in UTC
    const id = await bookedPatient('2026-03-04T00:30:00+03:00');
    const preview = (await harness.as('admin').get(`/api/templates/visit_card/preview?item=lead:${id}`).expect(200)).body as { text: string; unknown_paths: string[] };
    expect(spaced(preview.text)).toBe('Анна Кузнецова, приём 4 марта в 00:30: осмотр, чистка. Телефон: +7 916 123-45-67. Отправлено 1 сообщение. Врач: назначим.');
    expect(preview.unknown_paths).toEqual([]);
  });
});
