import { loadConfigText } from '../../config/loader';
import { chooseVariant } from '../../server/core/variants';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: irina, name: Ирина Соколова, role: admin }
leads:
  stages:
    - id: new
    - id: booked
      robots:
        - id: reminder_test
          type: split
          variants:
            a: { weight: 50, robots: [remind_short] }
            b: { weight: 50, robots: [remind_warm] }
        - { id: remind_short, type: notify, to: [irina], channel: outbox, text: "short {{item.id}}" }
        - { id: remind_warm, type: notify, to: [irina], channel: outbox, text: "warm {{item.id}}" }
    - id: visited
      semantic: won
`;

describe('the variant of a split', () => {
  it('is the same for the same item and split, and near the weights over many items', () => {
    const weights = [
      ['a', 50],
      ['b', 50],
    ] as const;
    expect(chooseVariant({ kind: 'lead', id: 7 }, 'reminder_test', weights)).toBe(chooseVariant({ kind: 'lead', id: 7 }, 'reminder_test', weights));
    const counts = { a: 0, b: 0 };
    for (let id = 1; id <= 2000; id += 1) counts[chooseVariant({ kind: 'lead', id }, 'reminder_test', weights) as 'a' | 'b'] += 1;
    expect(counts.a).toBeGreaterThan(900);
    expect(counts.b).toBeGreaterThan(900);
    const skewed = { a: 0, b: 0 };
    for (let id = 1; id <= 2000; id += 1)
      skewed[
        chooseVariant({ kind: 'lead', id }, 'reminder_test', [
          ['a', 90],
          ['b', 10],
        ]) as 'a' | 'b'
      ] += 1;
    expect(skewed.b).toBeLessThan(300);
  });

  it('names robots of its stage written after it, with did-you-mean', () => {
    const result = loadConfigText(CONFIG.replace('robots: [remind_warm]', 'robots: [remind_wrm]'), 'clinic.yaml');
    expect(result.ok ? [] : result.issues.map((issue) => issue.message)).toEqual([expect.stringMatching(/"remind_wrm".*did you mean "remind_warm"/)]);
  });
});

describe.each(testDatabaseKinds())('an A/B split on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = () => harness.as('irina');
  const sent = async (id: number) => ((await api().get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string }>).map((message) => message.body.split(' ')[0]);

  it('runs one variant per item, keeps it on re-entry, and the funnel counts conversion and replies per variant', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      const id = (
        await api()
          .post('/api/leads', { name: `Пациент ${index + 1}`, phone: `+7 916 600-00-${String(index + 10)}` })
          .expect(201)
      ).body.id as number;
      await api().post(`/api/leads/${id}/move`, { stage: 'booked' }).expect(200);
      ids.push(id);
    }
    await harness.runDue();
    const variantOf = new Map<number, string>();
    for (const id of ids) {
      const texts = await sent(id);
      expect(texts).toHaveLength(1);
      variantOf.set(id, texts[0] === 'short' ? 'a' : 'b');
      expect(variantOf.get(id)).toBe(
        chooseVariant({ kind: 'lead', id }, 'reminder_test', [
          ['a', 50],
          ['b', 50],
        ]),
      );
    }
    expect(new Set(variantOf.values()).size).toBe(2);

    // The same item back in booked gets the same variant
    const first = ids[0]!;
    await api().post(`/api/leads/${first}/move`, { stage: 'new' }).expect(200);
    await api().post(`/api/leads/${first}/move`, { stage: 'booked' }).expect(200);
    await harness.runDue();
    const again = await sent(first);
    expect(again).toHaveLength(2);
    expect(new Set(again).size).toBe(1);
    const timeline = (await api().get(`/api/leads/${first}/timeline`).expect(200)).body.timeline as Array<{ summary: string }>;
    expect(timeline.map((entry) => entry.summary).join('\n')).toMatch(new RegExp(`reminder_test.*variant ${variantOf.get(first)}`));

    // two a's and one b visit; one a replies
    const inA = ids.filter((id) => variantOf.get(id) === 'a');
    const inB = ids.filter((id) => variantOf.get(id) === 'b');
    for (const id of [...inA.slice(0, 2), ...inB.slice(0, 1)]) await api().post(`/api/leads/${id}/move`, { stage: 'visited' }).expect(200);
    await harness.runtime.inbound.recordInboundMessage({ channel: 'sms', from: '+79166000010', body: 'Буду, спасибо', item: { kind: 'lead', id: inA[0]! } });

    const report = (await api().get('/api/analytics/funnel?pipeline=leads').expect(200)).body;
    expect(report.by_variant).toEqual([
      expect.objectContaining({ split: 'reminder_test', variant: 'a', items: inA.length, won: 2, replied: 1 }),
      expect.objectContaining({ split: 'reminder_test', variant: 'b', items: inB.length, won: 1, replied: 0 }),
    ]);
    expect(report.by_variant[0].conversion).toBeCloseTo((200 / inA.length) * 1, 0);
  });
});
