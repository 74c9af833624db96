import { parse as parseCsv } from 'csv-parse/sync';
import { startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { insertLeads } from '../support/bulk-items';

/**
 * Search as first-line staff type it: Russian names in any case, ё or е, a company with its
 * «quotes», an email, a phone typed every way people write one. SQLite's LOWER() folds A–Z only,
 * so before `search_text` "Смирнов" found nothing there.
 */
describe.each(testDatabaseKinds())('searching leads, on %s', (kind) => {
  let harness: Harness;
  const ids = { smirnov: 0, fedorova: 0, romashka: 0, galyasSmirnov: 0, otherSmirnov: 0 };

  const search = async (q: string, as = 'root', extra = '') => {
    const response = await harness
      .as(as)
      .get(`/api/leads?q=${encodeURIComponent(q)}${extra}`)
      .expect(200);
    return (response.body.items as Array<{ id: number }>).map((item) => item.id).sort((a, b) => a - b);
  };

  beforeAll(async () => {
    harness = await startHarness(kind);
    const root = harness.as('root');
    const create = async (body: object) => (await root.post('/api/leads', body).expect(201)).body.id as number;
    ids.smirnov = await create({ name: 'Иван Смирнов', phone: '8 916 123-45-67', email: 'Ivan.Smirnov@Mail.RU', responsible: 'gena' });
    ids.fedorova = await create({ name: 'Алёна Фёдорова', phone: '+7 (903) 555-12-34', responsible: 'gena', source: 'website' });
    ids.romashka = await create({ name: 'Пётр Ильин', company_name: 'ООО «Ромашка»', phone: '+74951234000', responsible: 'galya' });
    ids.galyasSmirnov = await create({ name: 'Ольга СМИРНОВА', phone: '89169876543', responsible: 'galya' });
    ids.otherSmirnov = await create({ name: 'Сергей Смирнов-Кольцов', responsible: 'semen', fields: { product: 'Кухня «Прованс»' } });
    // Noise around them: a thousand and one leads that must not be found.
    await insertLeads(harness.runtime, 1001, (index) => ({
      name: `Клиент ${index} Кузнецов`,
      phone: `+7926${String(1000000 + index).slice(1)}`,
      email: `client${index}@example.ru`,
      responsible: 'gena',
      source: 'import',
    }));
  });
  afterAll(async () => {
    await harness.close();
  });

  it.each([
    ['Смирнов', 'a surname with its capital'],
    ['смирнов', 'in lower case'],
    ['СМИРНОВ', 'in capitals'],
    ['мирнов', 'a part of it'],
  ])('"%s" finds every Smirnov and Smirnova (%s)', async (q) => {
    expect(await search(q)).toEqual([ids.smirnov, ids.galyasSmirnov, ids.otherSmirnov].sort((a, b) => a - b));
  });

  it('counts a search up to 1,000 and says when there are more: the thousand and one Кузнецовы', async () => {
    const many = (
      await harness
        .as('root')
        .get(`/api/leads?q=${encodeURIComponent('Кузнецов')}&limit=10`)
        .expect(200)
    ).body;
    expect(many).toMatchObject({ total: 1000, total_capped: true });
    expect(many.items).toHaveLength(10);
    const few = (
      await harness
        .as('root')
        .get(`/api/leads?q=${encodeURIComponent('Смирнов')}`)
        .expect(200)
    ).body;
    expect(few.total).toBe(3);
    expect(few.total_capped).toBeUndefined();
  });

  it('first name and surname in either order, and only the one who has both', async () => {
    expect(await search('Иван Смирнов')).toEqual([ids.smirnov]);
    expect(await search('смирнов иван')).toEqual([ids.smirnov]);
  });

  it.each(['Фёдорова', 'Федорова', 'ФЕДОРОВА', 'алена'])('ё and е are one letter: "%s" finds Алёна Фёдорова', async (q) => {
    expect(await search(q)).toEqual([ids.fedorova]);
  });

  it.each(['ООО Ромашка', 'ООО «Ромашка»', 'ромашка', '"Ромашка"', 'ооо "ромашка"'])('the company "%s"', async (q) => {
    expect(await search(q)).toEqual([ids.romashka]);
  });

  it.each(['ivan.smirnov@mail.ru', 'IVAN.SMIRNOV@MAIL.RU', 'ivan.smirnov', 'Smirnov@Mail'])('the email typed "%s"', async (q) => {
    expect(await search(q)).toEqual([ids.smirnov]);
  });

  it.each(['8 916 123-45-67', '+7 (916) 123-45-67', '89161234567', '+79161234567', '79161234567', '916 123 45 67', '9161234567', '(916) 123-4567', '4567', '45-67', '8-916-123'])('the phone typed "%s"', async (q) => {
    expect(await search(q)).toEqual([ids.smirnov]);
  });

  it('a custom text field is searched too', async () => {
    expect(await search('прованс')).toEqual([ids.otherSmirnov]);
  });

  it('a hyphenated surname is found by either half', async () => {
    expect(await search('кольцов')).toEqual([ids.otherSmirnov]);
  });

  it('an underscore typed is a letter, not a LIKE wildcard', async () => {
    expect(await search('смир_ов')).toEqual([]);
    expect(await search('client_7@')).toEqual([]);
  });

  it('two-letter queries work (no trigram index for them)', async () => {
    expect(await search('ин', 'root', '&responsible=galya')).toEqual([ids.romashka]);
  });

  it('search combines with the responsible filter and the source filter', async () => {
    expect(await search('Смирнов', 'root', '&responsible=galya')).toEqual([ids.galyasSmirnov]);
    expect(await search('9', 'root', '&source=website')).toEqual([ids.fedorova]);
  });

  it('search combines with the stage filter', async () => {
    await harness.as('root').post(`/api/leads/${ids.galyasSmirnov}/move`, { stage: 'in_work' }).expect(200);
    expect(await search('смирнов', 'root', '&stage=in_work')).toEqual([ids.galyasSmirnov]);
    expect(await search('смирнов', 'root', '&stage=new')).toEqual([ids.smirnov, ids.otherSmirnov].sort((a, b) => a - b));
  });

  it("a sales rep finds only their own leads; first-line staff find everyone's", async () => {
    expect(await search('Смирнов', 'gena')).toEqual([ids.smirnov]);
    expect(await search('Смирнов', 'galya')).toEqual([ids.galyasSmirnov]);
    expect(await search('Смирнов', 'gena', '&responsible=galya')).toEqual([]);
    expect(await search('Смирнов', 'anna')).toHaveLength(3);
  });

  it('a renamed lead is found by its new name and no longer by its old one', async () => {
    await harness.as('root').patch(`/api/leads/${ids.fedorova}`, { name: 'Алёна Воробьёва' }).expect(200);
    expect(await search('Воробьева')).toEqual([ids.fedorova]);
    expect(await search('Федорова')).toEqual([]);
    await harness.as('root').patch(`/api/leads/${ids.fedorova}`, { name: 'Алёна Фёдорова' }).expect(200);
  });

  it('the total counts every match, not the page', async () => {
    expect(
      (
        await harness
          .as('root')
          .get(`/api/leads?q=${encodeURIComponent('client77')}`)
          .expect(200)
      ).body.total,
    ).toBe(11);
    expect(
      (
        await harness
          .as('root')
          .get(`/api/leads?q=${encodeURIComponent('client77@example')}`)
          .expect(200)
      ).body.total,
    ).toBe(1);
  });

  it('the export holds what the list shows, and a name with a comma, a quote and a line break comes back whole', async () => {
    const name = 'Смирнов, Иван "Ваня"\nмладший';
    const id = (await harness.as('root').post('/api/leads', { name, phone: '+7 916 000-00-01', company_name: '=HYPERLINK("x")', responsible: 'gena' }).expect(201)).body.id as number;
    const response = await harness
      .as('root')
      .get(`/api/leads/export.csv?q=${encodeURIComponent('смирнов')}&responsible=gena`)
      .buffer(true)
      .parse((res, callback) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers['content-disposition']).toMatch(/leads\.csv/);
    const bytes = response.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.toString('utf8'), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => Number(row.id))).toEqual([id, ids.smirnov]);
    expect(rows[0]).toMatchObject({ name, phone: '+79160000001', company: `'=HYPERLINK("x")`, responsible: 'gena', stage: 'new', amount: '' });
    expect(rows[0]!.created_at).toBe('2026-03-02T09:00:00.000+03:00');
    expect(Object.keys(rows[0]!)).toEqual(['id', 'title', 'name', 'stage', 'phone', 'email', 'company', 'source', 'responsible', 'amount', 'created_at']);
  });

  it('unknown sort and bad query keys are 400s', async () => {
    await harness.as('root').get('/api/leads?sort=price').expect(400);
    await harness.as('root').get('/api/leads?sort=-amount').expect(400);
    await harness.as('root').get('/api/leads?sort=name&before=10').expect(400);
    await harness.as('root').get('/api/leads/export.csv?limit=5').expect(400);
  });
});
