/**
 * (i) Search and (j) board columns over a big funnel, on SQLite and on Postgres, through the same
 * read functions the API calls (server/reads/items.ts: a page of 50 and its total; the board's
 * GROUP BY). Leads are seeded straight into a migrated database with multi-row INSERTs in one
 * transaction, their `search_text` computed by the app's own normaliser (server/core/search-text.ts);
 * Russian names, companies and phones from a seeded generator, so every run sees the same rows.
 *
 * Knobs (env): BENCH_SEARCH_ROWS (1,000,000; 100,000 with BENCH_QUICK=1), BENCH_BOARD_ROWS
 * (100,000), BENCH_SEARCH_QUERIES (40 of each kind), BENCH_SEARCH_DBS=sqlite,postgres.
 * `tsx bench/search.ts` runs it alone.
 */
import type { ItemScope } from '../server/auth/access';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { itemSearchText } from '../server/core/search-text';
import { openDatabase } from '../server/db/data-source';
import { countByStage, listItems, type ItemFilter } from '../server/reads/items';
import { fmt, percentile } from './stats';

/** What admins see, and what a rep or a manager of reps sees of leads: their owners' leads. */
const EVERYONE: ItemScope = { leadOwners: 'all', dealPipelines: 'all', leadStages: [], dealStages: [], dealOwners: [] };
function ownersScope(owners: string[]): ItemScope {
  return { leadOwners: owners, dealPipelines: [], leadStages: [], dealStages: [], dealOwners: [] };
}

type Row = [string, string, string, string];
type Kind = 'sqlite' | 'postgres';

const QUICK = process.env.BENCH_QUICK === '1';
const SEARCH_ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? (QUICK ? 100_000 : 1_000_000));
const BOARD_ROWS = Number(process.env.BENCH_BOARD_ROWS ?? 100_000);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? (QUICK ? 15 : 40));
const KINDS = (process.env.BENCH_SEARCH_DBS ?? 'sqlite,postgres').split(',').map((kind) => kind.trim()) as Kind[];
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The lead stages the seeded funnel fills (bench/board-paint.ts configures the same ones). */
export const STAGES = ['new', 'in_work', 'callback', 'qualified', 'handoff', 'junk'];
const OWNERS = Array.from({ length: 40 }, (_, index) => `sdr${index + 1}`);
const BATCH = 1000;

// ── a deterministic Russian funnel ─────────────────────────────────────────────────────

const MALE = [
  'Александр',
  'Дмитрий',
  'Максим',
  'Сергей',
  'Андрей',
  'Алексей',
  'Артём',
  'Илья',
  'Кирилл',
  'Михаил',
  'Никита',
  'Матвей',
  'Роман',
  'Егор',
  'Арсений',
  'Иван',
  'Денис',
  'Евгений',
  'Тимофей',
  'Владимир',
  'Павел',
  'Фёдор',
  'Олег',
  'Юрий',
];
const FEMALE = ['Анна', 'Мария', 'Елена', 'Дарья', 'Алина', 'Ирина', 'Екатерина', 'Арина', 'Полина', 'Ольга', 'Юлия', 'Татьяна', 'Наталья', 'Виктория', 'Елизавета', 'Анастасия', 'Ксения', 'Алёна', 'Светлана', 'Валерия'];
const SURNAMES = [
  'Смирнов',
  'Иванов',
  'Кузнецов',
  'Соколов',
  'Попов',
  'Лебедев',
  'Козлов',
  'Новиков',
  'Морозов',
  'Петров',
  'Волков',
  'Соловьёв',
  'Васильев',
  'Зайцев',
  'Павлов',
  'Семёнов',
  'Голубев',
  'Виноградов',
  'Богданов',
  'Воробьёв',
  'Фёдоров',
  'Михайлов',
  'Беляев',
  'Тарасов',
  'Белов',
  'Комаров',
  'Орлов',
  'Киселёв',
  'Макаров',
  'Андреев',
  'Ковалёв',
  'Ильин',
  'Гусев',
  'Титов',
  'Кузьмин',
  'Кудрявцев',
  'Баранов',
  'Куликов',
  'Алексеев',
  'Степанов',
  'Яковлев',
  'Сорокин',
  'Сергеев',
  'Романов',
  'Захаров',
  'Борисов',
  'Королёв',
  'Герасимов',
  'Пономарёв',
  'Григорьев',
  'Лазарев',
  'Медведев',
  'Ершов',
  'Никитин',
  'Соболев',
  'Рябов',
  'Поляков',
  'Цветков',
  'Данилов',
  'Жуков',
  'Фролов',
  'Журавлёв',
  'Николаев',
  'Крылов',
  'Максимов',
  'Сидоров',
  'Осипов',
  'Белоусов',
  'Федотов',
  'Дорофеев',
  'Егоров',
  'Матвеев',
  'Бобров',
  'Дмитриев',
  'Калинин',
  'Анисимов',
  'Петухов',
  'Антонов',
  'Тимофеев',
  'Никифоров',
  'Веселов',
  'Филиппов',
  'Марков',
  'Большаков',
  'Суханов',
  'Миронов',
  'Ширяев',
  'Александров',
  'Коновалов',
  'Шестаков',
  'Казаков',
  'Ефимов',
  'Денисов',
  'Громов',
  'Фомин',
  'Давыдов',
  'Мельников',
  'Щербаков',
  'Блинов',
  'Колесников',
];
const COMPANY_WORDS = [
  'Ромашка',
  'Вектор',
  'Альфа',
  'Гранит',
  'Орион',
  'Север',
  'Восток',
  'Меридиан',
  'Стройтех',
  'Техносфера',
  'Профиль',
  'Регион',
  'Лидер',
  'Импульс',
  'Горизонт',
  'Спектр',
  'Атлант',
  'Каскад',
  'Фортуна',
  'Эталон',
];
const COMPANY_KINDS = ['ООО', 'АО', 'ИП', 'ПАО', 'ЗАО'];
const CITIES = ['Москва', 'Санкт-Петербург', 'Новосибирск', 'Екатеринбург', 'Казань', 'Нижний Новгород', 'Самара', 'Омск'];
const SOURCES = ['website', 'phone', 'avito', 'telegram', 'referral'];

/** mulberry32: a small seeded generator, so a run is repeatable. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeedLead {
  name: string;
  phone: string;
  email: string | null;
  companyName: string | null;
  city: string;
  stage: string;
  responsible: string;
  source: string;
  createdAt: number;
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function femaleSurname(surname: string): string {
  return surname.endsWith('ий') ? `${surname.slice(0, -2)}ая` : `${surname}а`;
}

function leadAt(index: number, random: () => number, start: number): SeedLead {
  const female = random() < 0.5;
  const surname = pick(random, SURNAMES);
  const name = female ? `${pick(random, FEMALE)} ${femaleSurname(surname)}` : `${pick(random, MALE)} ${surname}`;
  // Distinct mobile numbers: +79 followed by the index scrambled over 10^9.
  const phone = `+79${String((index * 7_368_787 + 1_000_003) % 1_000_000_000).padStart(9, '0')}`;
  const company = random() < 0.3 ? `${pick(random, COMPANY_KINDS)} «${pick(random, COMPANY_WORDS)}${random() < 0.5 ? ` ${pick(random, CITIES)}` : ''}»` : null;
  return {
    name,
    phone,
    email: random() < 0.6 ? `client${index}@${pick(random, ['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru'])}` : null,
    companyName: company,
    city: pick(random, CITIES),
    stage: STAGES[Math.min(STAGES.length - 1, Math.floor(random() * random() * STAGES.length * 1.5))]!,
    responsible: pick(random, OWNERS),
    source: pick(random, SOURCES),
    createdAt: start - Math.floor(random() * 365 * 86_400_000),
  };
}

// ── the databases ───────────────────────────────────────────────────────────────────────

export interface BenchDb {
  kind: Kind;
  dataSource: DataSource;
  close(): Promise<void>;
}

async function openBenchDb(kind: Kind, label: string): Promise<BenchDb> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `robots-bench-${label}-`));
    const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'robots.sqlite') });
    return {
      kind,
      dataSource,
      close: async () => {
        await dataSource.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `robots_bench_${label}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const dataSource = await openDatabase({ url: POSTGRES_URL, schema });
  return {
    kind,
    dataSource,
    close: async () => {
      await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await dataSource.destroy();
    },
  };
}

const COLUMNS = ['name', 'phone', 'email', 'company_name', 'stage', 'entered_stage_at', 'source', 'responsible', 'fields', 'score', 'tags', 'created_at', 'updated_at', 'repeat_client', 'search_text'];

/**
 * The search index is set aside while a bulk load runs and built once after it, as an import
 * would do: the FTS5 triggers (SQLite) or the GIN index (Postgres), read back from the catalogue
 * as the migration made them, so the bench measures the index the app has.
 */
async function withoutSearchIndex(db: BenchDb, load: () => Promise<void>): Promise<void> {
  if (db.kind === 'sqlite') {
    const triggers: Array<{ name: string; sql: string }> = await db.dataSource.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'leads' AND name LIKE 'leads_search_%'");
    for (const trigger of triggers) await db.dataSource.query(`DROP TRIGGER "${trigger.name}"`);
    await load();
    await db.dataSource.query(`INSERT INTO leads_search(leads_search) VALUES ('rebuild')`);
    for (const trigger of triggers) await db.dataSource.query(trigger.sql);
    return;
  }
  const indexes: Array<{ indexname: string; indexdef: string }> = await db.dataSource.query(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'leads' AND schemaname = current_schema() AND indexname LIKE '%search%'",
  );
  for (const index of indexes) await db.dataSource.query(`DROP INDEX "${index.indexname}"`);
  await load();
  await db.dataSource.query("SET maintenance_work_mem = '256MB'");
  for (const index of indexes) await db.dataSource.query(index.indexdef);
}

/** `count` leads in one transaction, BATCH rows a statement; returns the seconds it took. */
export async function seedLeads(db: BenchDb, count: number): Promise<{ seconds: number; sample: SeedLead[] }> {
  const began = performance.now();
  const sample: SeedLead[] = [];
  await withoutSearchIndex(db, () => insertLeads(db, count, sample));
  // Postgres: VACUUM too, so the visibility map lets counts read the indexes alone, as on a table autovacuum has seen.
  await db.dataSource.query(db.kind === 'postgres' ? 'VACUUM ANALYZE leads' : 'ANALYZE');
  return { seconds: (performance.now() - began) / 1000, sample };
}

async function insertLeads(db: BenchDb, count: number, sample: SeedLead[]): Promise<void> {
  const random = generator(20260302);
  const start = Date.parse('2026-03-02T09:00:00+03:00');
  const postgres = db.kind === 'postgres';
  await db.dataSource.transaction(async (manager) => {
    for (let first = 0; first < count; first += BATCH) {
      const size = Math.min(BATCH, count - first);
      const parameters: unknown[] = [];
      const tuples: string[] = [];
      for (let index = first; index < first + size; index++) {
        const lead = leadAt(index, random, start);
        if (index % Math.max(1, Math.floor(count / 2000)) === 0) sample.push(lead);
        const fields = { city: lead.city };
        const searchText = itemSearchText({ title: null, name: lead.name, phone: lead.phone, email: lead.email, companyName: lead.companyName, fields });
        const values = [
          lead.name,
          lead.phone,
          lead.email,
          lead.companyName,
          lead.stage,
          lead.createdAt,
          lead.source,
          lead.responsible,
          JSON.stringify(fields),
          0,
          '[]',
          lead.createdAt,
          lead.createdAt,
          postgres ? false : 0,
          searchText,
        ];
        tuples.push(`(${values.map((_, offset) => (postgres ? `$${parameters.length + offset + 1}` : '?')).join(', ')})`);
        parameters.push(...values);
      }
      await manager.query(`INSERT INTO leads (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, parameters);
    }
  });
}

// ── measuring ───────────────────────────────────────────────────────────────────────────

interface Timing {
  p50: number;
  p99: number;
  meanFound: number;
}

async function timeQueries(filters: ItemFilter[], run: (filter: ItemFilter) => Promise<number>): Promise<Timing> {
  // One warm-up pass over a few, so the first figure is not the cache filling.
  for (const filter of filters.slice(0, 3)) await run(filter);
  const times: number[] = [];
  let found = 0;
  for (const filter of filters) {
    const began = performance.now();
    found += await run(filter);
    times.push(performance.now() - began);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), meanFound: found / filters.length };
}

const phoneWith8 = (phone: string) => `8 ${phone.slice(2, 5)} ${phone.slice(5, 8)}-${phone.slice(8, 10)}-${phone.slice(10)}`;

async function searchFigures(kind: Kind, log: (line: string) => void): Promise<Row[]> {
  const db = await openBenchDb(kind, 'search');
  try {
    const { seconds, sample } = await seedLeads(db, SEARCH_ROWS);
    log(`    ${kind}: ${fmt(SEARCH_ROWS)} leads seeded in ${fmt(seconds, 1)} s (search_text by the app's normaliser, index kept by ${kind === 'sqlite' ? 'FTS5 triggers' : 'the pg_trgm GIN index'})`);
    const random = generator(7);
    const some = <T>(make: (lead: SeedLead) => T) => Array.from({ length: QUERIES }, () => make(pick(random, sample)));
    const cases: Array<[string, string[]]> = [
      ['a surname with its capital', some((lead) => lead.name.split(' ')[1]!)],
      ['a phone typed with 8', some((lead) => phoneWith8(lead.phone))],
      ['the last 4 digits', some((lead) => lead.phone.slice(-4))],
      ['a company', some((lead) => lead.companyName?.replace(/[«»]/g, '').split(' ').slice(0, 2).join(' ') ?? 'ООО Ромашка')],
    ];
    const rows: Row[] = [];
    for (const [what, queries] of cases) {
      const filters = queries.map((q): ItemFilter => ({ q, scope: EVERYONE }));
      const timing = await timeQueries(filters, async (filter) => (await listItems(db.dataSource, 'lead', { ...filter, limit: 50, offset: 0 })).total);
      log(`    ${kind}: search ${what} (e.g. "${queries[0]}"): p50 ${fmt(timing.p50, 1)} ms, p99 ${fmt(timing.p99, 1)} ms, ${fmt(timing.meanFound)} found on average`);
      rows.push([`(i) search ${kind}, ${what}: p50 / p99`, `${fmt(timing.p50, 1)} / ${fmt(timing.p99, 1)} ms`, 'p99 < 100 ms', timing.p99 < 100 ? 'meets' : 'BELOW']);
    }
    // A sales rep typing a surname: the same search inside their own leads.
    const scoped = cases[0]![1].map((q, index): ItemFilter => ({ q, scope: ownersScope([OWNERS[index % OWNERS.length]!]) }));
    const timing = await timeQueries(scoped, async (filter) => (await listItems(db.dataSource, 'lead', { ...filter, limit: 50, offset: 0 })).total);
    log(`    ${kind}: search a surname within one rep's leads: p50 ${fmt(timing.p50, 1)} ms, p99 ${fmt(timing.p99, 1)} ms\n`);
    rows.push([`(i) search ${kind}, a surname in one rep's leads: p50 / p99`, `${fmt(timing.p50, 1)} / ${fmt(timing.p99, 1)} ms`, 'p99 < 100 ms', timing.p99 < 100 ? 'meets' : 'BELOW']);
    return rows;
  } finally {
    await db.close();
  }
}

async function boardFigures(kind: Kind, log: (line: string) => void): Promise<Row[]> {
  const db = await openBenchDb(kind, 'board');
  try {
    const { seconds } = await seedLeads(db, BOARD_ROWS);
    log(`    ${kind}: ${fmt(BOARD_ROWS)} leads seeded in ${fmt(seconds, 1)} s`);
    const stages = Array.from({ length: QUERIES }, (_, index) => STAGES[index % STAGES.length]!);
    const everyone = stages.map((stage): ItemFilter => ({ stage, scope: EVERYONE }));
    const page = await timeQueries(everyone, async (filter) => (await listItems(db.dataSource, 'lead', { ...filter, limit: 50, offset: 0 })).items.length);
    const board = await timeQueries(everyone, async (filter) => (await countByStage(db.dataSource, 'lead', { scope: filter.scope })).length);
    const team = stages.map((stage, index): ItemFilter => ({ stage, scope: ownersScope(OWNERS.slice((index * 5) % 40, ((index * 5) % 40) + 5)) }));
    const teamPage = await timeQueries(team, async (filter) => (await listItems(db.dataSource, 'lead', { ...filter, limit: 50, offset: 0 })).items.length);
    const teamBoard = await timeQueries(team, async (filter) => (await countByStage(db.dataSource, 'lead', { scope: filter.scope })).length);
    log(`    ${kind}: first page of a column (50 cards + the column's total): p50 ${fmt(page.p50, 1)} ms, p99 ${fmt(page.p99, 1)} ms; the board's counts: p50 ${fmt(board.p50, 1)} ms, p99 ${fmt(board.p99, 1)} ms`);
    log(`    ${kind}: a manager of 5 reps: first page p50 ${fmt(teamPage.p50, 1)} ms, p99 ${fmt(teamPage.p99, 1)} ms; counts p50 ${fmt(teamBoard.p50, 1)} ms, p99 ${fmt(teamBoard.p99, 1)} ms\n`);
    return [
      [`(j) ${kind}, first page of a column + its total: p50 / p99`, `${fmt(page.p50, 1)} / ${fmt(page.p99, 1)} ms`, '(info)', ''],
      [`(j) ${kind}, board counts (one GROUP BY): p50 / p99`, `${fmt(board.p50, 1)} / ${fmt(board.p99, 1)} ms`, '(info)', ''],
      [`(j) ${kind}, a manager's column page / counts p99`, `${fmt(teamPage.p99, 1)} / ${fmt(teamBoard.p99, 1)} ms`, '(info)', ''],
    ];
  } finally {
    await db.close();
  }
}

export async function runSearchBenchmarks(log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  log(`(i) search over ${fmt(SEARCH_ROWS)} leads, ${QUERIES} queries of each kind, through listItems (a page of 50 and the total)`);
  for (const kind of KINDS) rows.push(...(await searchFigures(kind, log)));
  log(`(j) board columns over ${fmt(BOARD_ROWS)} leads in ${STAGES.length} stages`);
  for (const kind of KINDS) rows.push(...(await boardFigures(kind, log)));
  return rows;
}

if (require.main === module) {
  runSearchBenchmarks((line) => process.stdout.write(`${line}\n`)).then(
    (rows) => {
      for (const row of rows) process.stdout.write(`  ${row.join('  ')}\n`);
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
