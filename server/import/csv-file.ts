import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

/** The encodings a CRM export arrives in: Bitrix24 and amoCRM write UTF-8 (often with a BOM); Excel on a Russian Windows saves Windows-1251. */
export type CsvEncoding = 'utf-8' | 'windows-1251';
export type CsvDelimiter = ';' | ',' | '\t';

export interface CsvFile {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  headers: string[];
  /** Data rows with their number as a spreadsheet shows it (the header is row 1); blank rows are left out. */
  rows: Array<{ number: number; cells: string[] }>;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * UTF-8 when the bytes are valid UTF-8 (a BOM settles it at once), Windows-1251 otherwise: a
 * Cyrillic Windows-1251 text is almost never valid UTF-8, while UTF-8 read as 1251 would be mojibake.
 */
export function decodeCsv(bytes: Buffer): { text: string; encoding: CsvEncoding } {
  if (bytes.subarray(0, 3).equals(UTF8_BOM)) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'win1251'), encoding: 'windows-1251' };
  }
}

/** The separator the header line uses most, outside quotes: Russian Excel saves `;`, most exports `,`. */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  for (const char of text.slice(0, 64 * 1024)) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char in counts) counts[char as CsvDelimiter] += 1;
  }
  const [best] = (Object.entries(counts) as Array<[CsvDelimiter, number]>).sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

/** Reads a CSV export whatever its encoding and separator; blank lines are left out. */
export function readCsv(bytes: Buffer): CsvFile {
  const { text, encoding } = decodeCsv(bytes);
  const delimiter = detectDelimiter(text);
  const records: string[][] = parse(text, { delimiter, bom: true, relax_column_count: true, relax_quotes: true });
  const [headers = [], ...data] = records;
  const rows = data.map((cells, index) => ({ number: index + 2, cells })).filter((row) => row.cells.some((cell) => cell.trim() !== ''));
  return { encoding, delimiter, headers: headers.map((header) => header.trim()), rows };
}
