import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Clock } from '../core/clock';
import { InvalidRequestError } from '../core/errors';
import { NewLeadInput, type NewItemInput } from '../core/inputs';
import type { LiveConfig } from '../core/live-config';
import type { Store } from '../db/store';
import type { Consents } from '../messaging/consents';
import type { Pipeline } from '../pipeline/pipeline';
import type { PreparedItem, Records } from '../records/records';
import { readCsv, type CsvDelimiter, type CsvEncoding } from './csv-file';
import { consentVerdict, rowConsents, type RowConsent } from './consent-cells';
import { MappingError, mapHeaders, mapRow, parseMapOption, type MappedRow } from './header-map';
import { addressLockKeys, lockKeys } from '../db/locks';

/** How an import treats what it finds: the CLI's flags and the API's query, one schema. */
export const ImportOptions = z.strictObject({
  map: z
    .union([z.record(z.string(), z.string()), z.string().max(4000)])
    .default({})
    .describe(
      'field → column title, as an object or as `name=ФИО,phone=Телефон`; unmapped columns are matched by their titles; consent_email, consent_sms, consent_call (да/нет) and consent_at go to the consent register',
    ),
  dry_run: z.boolean().default(false).describe('check every row and count what would happen; write nothing'),
  run_robots: z.boolean().default(false).describe('schedule the first stage’s robots for each new lead; off: they enter their stage quietly'),
  duplicates: z.enum(['update', 'skip']).default('skip').describe('a row whose phone or email a lead already has: update that lead with the row’s filled cells, or leave it'),
});
export type ImportOptions = z.input<typeof ImportOptions>;

export interface RowProblem {
  /** As a spreadsheet numbers it: the header is row 1. */
  row: number;
  /** The column's title as in the file; null when the row as a whole is at fault. */
  column: string | null;
  message: string;
}

export interface ImportReport {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  /** field → the column titles it was read from. */
  columns: Record<string, string[]>;
  ignored_columns: string[];
  rows: number;
  created: number;
  updated: number;
  /** Duplicates left as they were (`duplicates: skip`), or an update that changed nothing. */
  skipped: number;
  failed: number;
  errors: RowProblem[];
  /**
   * The consent columns' words: recorded in the register (source `import`), the same as the
   * register already said, or a yes kept out because the client said no since.
   */
  consents: { recorded: number; unchanged: number; kept: number };
  dry_run: boolean;
  run_robots: boolean;
}

export interface LeadImportDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  records: Records;
  pipeline: Pipeline;
  consents: Consents;
}

/** Rows a transaction writes: big enough that commits cost little, small enough that others wait little for SQLite's writer. */
const BATCH_ROWS = 500;

interface CheckedRow {
  number: number;
  mapped: MappedRow;
  prepared: PreparedItem;
  consents: RowConsent[];
}

/** "phone: "12" is not a phone number" → the field and the words, so the column can be named. */
function problemParts(problem: string): { field: string | null; message: string } {
  const match = /^([\w.]+): (.*)$/s.exec(problem);
  if (!match) return { field: null, message: problem };
  return { field: match[1]!.replace(/^fields\./, ''), message: match[2]! };
}

/**
 * Leads from a CSV export (Bitrix24, amoCRM, a spreadsheet): each row checked on its own (a bad
 * row is reported with its number and column and the rest go in), duplicates by phone or email
 * updated or skipped, written in batched transactions through records and the pipeline, so every
 * new lead enters its first stage as a lead from a form does, only without its robots unless asked.
 */
export class LeadImport {
  constructor(private readonly deps: LeadImportDeps) {}

  async run(bytes: Buffer, rawOptions: ImportOptions, actor: string, onProgress?: (done: number, total: number) => void): Promise<ImportReport> {
    const options = ImportOptions.parse(rawOptions);
    const config = this.deps.config.current;
    const file = readCsv(bytes);
    let map;
    try {
      map = mapHeaders(file.headers, typeof options.map === 'string' ? parseMapOption(options.map) : options.map, config);
    } catch (error) {
      if (error instanceof MappingError) throw new InvalidRequestError(error.message);
      throw error;
    }
    if (!['name', 'last_name', 'first_name', 'phone', 'email'].some((target) => map.columns.has(target))) {
      throw new InvalidRequestError(`no column gives a name, a phone or an email (columns: ${file.headers.join(', ') || 'none'}); name them with map, e.g. name=ФИО,phone=Телефон`);
    }
    const report: ImportReport = {
      encoding: file.encoding,
      delimiter: file.delimiter,
      columns: Object.fromEntries([...map.columns].map(([target, indexes]) => [target, indexes.map((index) => file.headers[index]!)])),
      ignored_columns: map.ignored,
      rows: file.rows.length,
      created: 0,
      updated: 0,
      skipped: 0,
      failed: 0,
      errors: [],
      consents: { recorded: 0, unchanged: 0, kept: 0 },
      dry_run: options.dry_run,
      run_robots: options.run_robots,
    };
    // Leads this file already made or matched, by phone and by email: a second row of one client finds the first.
    const seen = new Map<string, LeadSlot>();
    for (let start = 0; start < file.rows.length; start += BATCH_ROWS) {
      const batch = file.rows.slice(start, start + BATCH_ROWS);
      const checked: CheckedRow[] = [];
      // Checked before the transaction: a refused row writes nothing, and the writer does not wait for phone parsing.
      for (const row of batch) {
        const mapped = mapRow(row.cells, map, file.headers, config);
        const result = await this.check(mapped);
        if ('problems' in result) {
          report.failed += 1;
          report.errors.push(...result.problems.map((problem) => ({ row: row.number, ...problem })));
        } else checked.push({ number: row.number, mapped, prepared: result.prepared, consents: result.consents });
      }
      if (options.dry_run) await this.place(checked, seen, options, actor, report, null);
      else await this.deps.store.transaction((manager) => this.place(checked, seen, options, actor, report, manager));
      onProgress?.(Math.min(start + batch.length, file.rows.length), file.rows.length);
    }
    if (options.run_robots && !options.dry_run && report.created > 0) this.deps.pipeline.runsCommitted();
    return report;
  }

  /** The row shaped as a lead, or what is wrong with it by column. */
  private async check(mapped: MappedRow): Promise<{ prepared: PreparedItem; consents: RowConsent[] } | { problems: Array<{ column: string | null; message: string }> }> {
    const shape = NewLeadInput.safeParse(mapped.input);
    if (!shape.success) {
      const problems = shape.error.issues.map((issue) => {
        const field = issue.path.at(-1);
        const column = typeof field === 'string' && issue.code !== 'custom' ? (mapped.sources.get(field) ?? null) : null;
        return { column, message: issue.code === 'custom' ? issue.message : `${String(field ?? '')}: ${issue.message}` };
      });
      return { problems };
    }
    let prepared: PreparedItem;
    try {
      prepared = await this.deps.records.prepareItem('lead', mapped.input);
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      const problems = error.message.split('; ').map((problem) => {
        const { field, message } = problemParts(problem);
        return { column: field ? (mapped.sources.get(field) ?? null) : null, message };
      });
      return { problems };
    }
    const consents = rowConsents(mapped, prepared.row, { timezone: this.deps.config.current.source.timezone, now: this.deps.clock.now() });
    return 'problems' in consents ? consents : { prepared, consents: consents.consents };
  }

  /**
   * Writes (or, without a manager, only counts) the checked rows of one batch: one lookup of
   * the leads their phones and emails already have, the new leads in a few multi-row statements,
   * then the updates of duplicates. A phone match wins over an email match, the oldest lead over
   * a newer one, as for a form.
   */
  private async place(rows: CheckedRow[], seen: Map<string, LeadSlot>, options: z.output<typeof ImportOptions>, actor: string, report: ImportReport, manager: EntityManager | null): Promise<void> {
    const phones = [...new Set(rows.map((row) => row.prepared.row.phone).filter((phone) => phone !== null))];
    const emails = [...new Set(rows.map((row) => row.prepared.row.email).filter((email) => email !== null))];
    // Two imports of one file (or a form meanwhile) would each find no lead and each make one.
    if (manager) await lockKeys(manager, addressLockKeys(phones, emails));
    const known = new Map<string, LeadSlot>();
    for (const lead of await this.deps.records.leadsByAddresses(phones, emails, manager ?? undefined)) {
      if (lead.phone && !known.has(`phone:${lead.phone}`)) known.set(`phone:${lead.phone}`, { id: lead.id });
      if (lead.email && !known.has(`email:${lead.email}`)) known.set(`email:${lead.email}`, { id: lead.id });
    }
    const creates: Array<{ row: CheckedRow; slot: LeadSlot }> = [];
    const updates: Array<{ row: CheckedRow; slot: LeadSlot }> = [];
    for (const row of rows) {
      const { phone, email } = row.prepared.row;
      const keys = [phone ? `phone:${phone}` : null, email ? `email:${email}` : null].filter((key) => key !== null);
      const existing = keys.map((key) => known.get(key) ?? seen.get(key)).find((slot) => slot !== undefined);
      const slot = existing ?? { id: 0 };
      if (!existing) creates.push({ row, slot });
      else if (options.duplicates === 'update') updates.push({ row, slot });
      else report.skipped += 1;
      for (const key of keys) if (!seen.has(key)) seen.set(key, slot);
    }
    report.created += creates.length;
    if (!manager) {
      report.updated += updates.length;
      await this.recordConsents(rows, seen, actor, report, null);
      return;
    }
    const items = await this.deps.pipeline.insertItems(
      manager,
      creates.map(({ row }) => row.prepared),
      actor,
      { robots: options.run_robots },
    );
    items.forEach((item, index) => {
      creates[index]!.slot.id = item.row.id;
    });
    for (const { row, slot } of updates) {
      const { changes } = await this.deps.records.updateItem({ kind: 'lead', id: slot.id }, patchOf(row.mapped.input), manager);
      report[changes.length > 0 ? 'updated' : 'skipped'] += 1;
    }
    await this.recordConsents(rows, seen, actor, report, manager);
  }

  /**
   * Each row's consents, for the lead it landed on (made, updated or left as a duplicate: the
   * client's word holds either way) — at its address, and for its contact when it has one —
   * with the import's time. Without a manager (a dry run) only counted.
   */
  private async recordConsents(rows: CheckedRow[], seen: Map<string, LeadSlot>, actor: string, report: ImportReport, manager: EntityManager | null): Promise<void> {
    for (const row of rows) {
      if (row.consents.length === 0) continue;
      const { phone, email } = row.prepared.row;
      const slot = [phone ? seen.get(`phone:${phone}`) : undefined, email ? seen.get(`email:${email}`) : undefined].find((candidate) => candidate !== undefined);
      const lead = manager && slot && slot.id > 0 ? await this.deps.records.getItem({ kind: 'lead', id: slot.id }, manager) : null;
      const contactId = lead?.row.contactId ?? null;
      for (const consent of row.consents) {
        const latest = await this.deps.consents.latest(consent.channel, consent.address, contactId, manager ?? undefined);
        const verdict = consentVerdict(consent, latest);
        if (verdict === 'record') {
          report.consents.recorded += 1;
          if (manager) await this.deps.consents.record({ channel: consent.channel, address: consent.address, contactId, status: consent.status, source: 'import', note: consent.note, actor }, manager);
        } else report.consents[verdict] += 1;
      }
    }
  }
}

/** The lead a phone or an email stands for; its id is known once a new lead is written. */
interface LeadSlot {
  id: number;
}

/** A row as a change to the lead it duplicates: only the cells it fills, never its stage. */
function patchOf(input: NewItemInput): Omit<NewItemInput, 'stage'> {
  const { stage: _stage, ...patch } = input;
  return patch;
}
