/**
 * CSV as Excel and LibreOffice open it (RFC 4180): fields with a comma, a quote or a line break
 * are quoted, quotes doubled, lines end in CRLF. The file starts with a byte-order mark so Excel
 * reads it as UTF-8 and Cyrillic is not mojibake.
 */
export const CSV_BOM = '\uFEFF';

/** A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM`, `+cmd|…`); a plain number or phone is left as it is. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?[\d\s().-]*\d[\d\s().-]*$/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // OWASP's advice for CSV injection: a leading apostrophe makes the cell text.
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
