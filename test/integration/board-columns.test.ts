import { startHarness, DAY, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { insertDeals, insertLeads } from '../support/bulk-items';

/**
 * The board of a big funnel, paged from the server: each column's count and sum comes from one
 * GROUP BY and equals a plain count(*) under the same filters and the viewer's scope; a column
 * scrolled to its end with `before` shows every card once.
 */
const LEADS = 3000;
const DEALS = 1200;
const LEAD_STAGES = ['new', 'in_work', 'handoff_general', 'junk'];
const OWNERS = ['gena', 'galya', 'semen', null];
const SURNAMES = ['Смирнов', 'Кузнецова', 'Попов', 'Васильева', 'Соколов'];
const START = Date.parse('2026-03-02T09:00:00+03:00');

const leadOf = (index: number) => ({
  name: `${['Иван', 'Мария', 'Олег'][index % 3]} ${SURNAMES[index % 5]}`,
  phone: `+7916${String(1_000_000 + index).slice(1)}0`.slice(0, 12),
  stage: LEAD_STAGES[index % 7 < 4 ? index % 7 : 0]!,
  responsible: OWNERS[index % 4]!,
  source: index % 3 === 0 ? 'website' : 'phone',
  createdAt: START - (index % 30) * DAY,
  enteredStageAt: START - (index % 11) * DAY,
  score: index % 13,
});

const dealOf = (index: number) => ({
  title: `Сделка ${index} ${SURNAMES[index % 5]}`,
  pipeline: index % 3 === 0 ? 'services' : 'general',
  stage: ['new', 'offer', 'won'][index % 3 === 0 ? 0 : index % 3]!,
  responsible: index % 2 === 0 ? 'gena' : 'galya',
  amount: index % 10 === 0 ? null : (index % 50) * 1000 + 0.5,
  source: 'website',
  createdAt: START - (index % 30) * DAY,
});

describe.each(testDatabaseKinds())('board columns over %s', (kind) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness(kind);
    await insertLeads(harness.runtime, LEADS, leadOf);
    await insertDeals(harness.runtime, DEALS, dealOf);
  }, 120_000);
  afterAll(async () => {
    await harness.close();
  });

  const board = async (path: string, as = 'root') => (await harness.as(as).get(path).expect(200)).body as { pipeline: string; columns: Array<{ stage: string; count: number; sum: number | null }> };
  const countsOf = async (sql: string, parameters: unknown[]) => {
    const rows: Array<{ stage: string; count: string | number; sum?: string | number | null }> = await harness.runtime.store.manager.query(sql, parameters);
    return new Map(rows.map((row) => [row.stage, { count: Number(row.count), sum: row.sum === null || row.sum === undefined ? null : Number(row.sum) }]));
  };
  const mark = (index: number) => (kind === 'postgres' ? `$${index}` : '?');

  it('every lead stage of the config, in order, empty ones too, with the count a count(*) gives', async () => {
    const { columns } = await board('/api/leads/board');
    expect(columns.map((column) => column.stage)).toEqual(['new', 'in_work', 'handoff_general', 'handoff_services', 'converted', 'junk']);
    const direct = await countsOf('SELECT stage, COUNT(*) AS count FROM leads GROUP BY stage', []);
    for (const column of columns) expect(column).toEqual({ stage: column.stage, count: direct.get(column.stage)?.count ?? 0, sum: null });
    expect(columns.reduce((total, column) => total + column.count, 0)).toBe(LEADS);
    expect(columns.find((column) => column.stage === 'converted')!.count).toBe(0);
  });

  it('the board and a column page answer the server’s time, so cards count their age from the engine’s clock', async () => {
    harness.clock.set(START + 3 * DAY);
    expect((await harness.as('root').get('/api/leads/board').expect(200)).body.now).toBe(START + 3 * DAY);
    expect((await harness.as('root').get('/api/leads?stage=new&limit=1').expect(200)).body.now).toBe(START + 3 * DAY);
  });

  it("a sales rep's board counts their own leads only, and equals the list's total per stage", async () => {
    const { columns } = await board('/api/leads/board', 'gena');
    const direct = await countsOf(`SELECT stage, COUNT(*) AS count FROM leads WHERE responsible = ${mark(1)} GROUP BY stage`, ['gena']);
    for (const column of columns) {
      expect(column.count).toBe(direct.get(column.stage)?.count ?? 0);
      const list = await harness.as('gena').get(`/api/leads?stage=${column.stage}&limit=1`).expect(200);
      expect(list.body.total).toBe(column.count);
    }
  });

  it('filters combine: search, responsible, source and creation days', async () => {
    const path = `/api/leads/board?q=${encodeURIComponent('СМИРНОВ')}&responsible=galya&source=phone&created_from=2026-02-20&created_to=2026-03-02`;
    const { columns } = await board(path);
    const from = Date.parse('2026-02-20T00:00:00+03:00');
    const expected = new Map<string, number>();
    for (let index = 0; index < LEADS; index++) {
      const lead = leadOf(index);
      if (lead.name.includes('Смирнов') && lead.responsible === 'galya' && lead.source === 'phone' && lead.createdAt >= from) expected.set(lead.stage, (expected.get(lead.stage) ?? 0) + 1);
    }
    expect(Object.fromEntries(columns.filter((column) => column.count > 0).map((column) => [column.stage, column.count]))).toEqual(Object.fromEntries(expected));
    for (const column of columns) {
      const list = await harness
        .as('root')
        .get(`${path.replace('/board', '')}&stage=${column.stage}&limit=1`)
        .expect(200);
      expect(list.body.total).toBe(column.count);
    }
  });

  it("a deal board's columns carry the sum of amounts (missing amounts count as nothing)", async () => {
    const { pipeline, columns } = await board('/api/deals/board?pipeline=general');
    expect(pipeline).toBe('general');
    expect(columns.map((column) => column.stage)).toEqual(['new', 'offer', 'won', 'lost']);
    const direct = await countsOf(`SELECT stage, COUNT(*) AS count, SUM(amount) AS sum FROM deals WHERE pipeline = ${mark(1)} GROUP BY stage`, ['general']);
    for (const column of columns) {
      const expected = direct.get(column.stage);
      expect(column.count).toBe(expected?.count ?? 0);
      if (expected?.sum === null || expected === undefined) expect(column.sum).toBeNull();
      else expect(column.sum).toBeCloseTo(expected.sum, 2);
    }
    expect(columns.find((column) => column.stage === 'lost')).toEqual({ stage: 'lost', count: 0, sum: null });
  });

  it("a manager sees their team's pipeline only; the deal board needs a pipeline", async () => {
    const services = await board('/api/deals/board?pipeline=services', 'gm');
    expect(services.columns.every((column) => column.count === 0)).toBe(true);
    await harness.as('root').get('/api/deals/board').expect(400);
    await harness.as('root').get('/api/deals/board?pipeline=nope').expect(400);
    await harness.as('anna').get('/api/deals/board?pipeline=general').expect(403);
    await harness.as('root').get('/api/leads/board?stage=new').expect(400);
  });

  it('a column scrolled with `before` shows each card once, newest first, down to the last', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const response = await harness
        .as('root')
        .get(`/api/leads?stage=new&limit=200${before ? `&before=${before}` : ''}`)
        .expect(200);
      seen.push(...(response.body.items as Array<{ id: number }>).map((item) => item.id));
      pages++;
      if (response.body.next_before === undefined) break;
      before = response.body.next_before;
    }
    const direct: Array<{ id: number }> = await harness.runtime.store.manager.query(`SELECT id FROM leads WHERE stage = ${mark(1)} ORDER BY id DESC`, ['new']);
    expect(seen).toEqual(direct.map((row) => Number(row.id)));
    expect(pages).toBe(Math.ceil(direct.length / 200));
  });

  it.each([
    ['name', (a: { name: string | null; id: number }, b: { name: string | null; id: number }) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : b.id - a.id)],
    ['-score', (a: { score: number; id: number }, b: { score: number; id: number }) => b.score - a.score || b.id - a.id],
    ['stage_entered_at', (a: { entered_stage_at: string; id: number }, b: { entered_stage_at: string; id: number }) => a.entered_stage_at.localeCompare(b.entered_stage_at) || b.id - a.id],
  ] as const)('sorted by %s with offset pages: the same cards, in order, none twice', async (sort, compare) => {
    const pages = [];
    for (let offset = 0; ; offset += 200) {
      const response = await harness.as('root').get(`/api/leads?stage=junk&sort=${sort}&limit=200&offset=${offset}`).expect(200);
      pages.push(...response.body.items);
      expect(response.body.next_before).toBeUndefined();
      if (response.body.items.length < 200) break;
    }
    const ids = pages.map((item: { id: number }) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe((await board('/api/leads/board')).columns.find((column) => column.stage === 'junk')!.count);
    expect([...pages].sort(compare as never)).toEqual(pages);
  });

  it('deals sorted by amount put the ones without an amount last, both ways', async () => {
    for (const sort of ['amount', '-amount']) {
      const { items } = (await harness.as('root').get(`/api/deals?pipeline=general&stage=offer&sort=${sort}&limit=500`).expect(200)).body as { items: Array<{ amount: number | null }> };
      const amounts = items.map((item) => item.amount);
      const firstNull = amounts.indexOf(null);
      expect(firstNull).toBeGreaterThan(0);
      expect(amounts.slice(firstNull).every((amount) => amount === null)).toBe(true);
      const known = amounts.slice(0, firstNull) as number[];
      expect(known).toEqual([...known].sort((a, b) => (sort === 'amount' ? a - b : b - a)));
    }
  });
});
