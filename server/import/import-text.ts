import type { ImportReport } from './import-leads';

/** A progress bar redrawn in place on a terminal: `[██████░░░░]  60%  60 000 / 100 000 rows`. */
export function progressBar(out: { write(text: string): unknown; columns?: number }): (done: number, total: number) => void {
  const width = 30;
  return (done, total) => {
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * width);
    out.write(`\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${done} / ${total} rows`);
  };
}

const DELIMITER_WORDS: Record<string, string> = { ';': 'semicolons', ',': 'commas', '\t': 'tabs' };

/** What `robots import` prints: what was read as what, the counts, then every refused row. */
export function formatImportReport(report: ImportReport, file: string): string {
  const lines = [
    `${file}: ${report.encoding}, separated by ${DELIMITER_WORDS[report.delimiter] ?? report.delimiter}, ${report.rows} rows`,
    `columns: ${
      Object.entries(report.columns)
        .map(([field, columns]) => `${field} ← ${columns.join(' | ')}`)
        .join(', ') || 'none'
    }`,
  ];
  if (report.ignored_columns.length > 0) lines.push(`left out: ${report.ignored_columns.join(', ')}`);
  const verb = report.dry_run ? 'would be ' : '';
  lines.push(
    `${report.dry_run ? 'dry run, nothing written: ' : ''}${report.created} ${verb}created, ${report.updated} ${verb}updated, ${report.skipped} duplicates ${verb}skipped, ${report.failed} rows refused` +
      (report.dry_run ? '' : report.run_robots ? '; robots of the first stage scheduled' : '; no robot fired (--run-robots to fire them)'),
  );
  const { recorded, unchanged, kept } = report.consents;
  if (recorded + unchanged + kept > 0) {
    lines.push(`consents: ${recorded} ${verb}recorded, ${unchanged} already so${kept > 0 ? `, ${kept} yes kept out (the client said no since)` : ''}`);
  }
  for (const error of report.errors) lines.push(`  row ${error.row}${error.column ? `, ${error.column}` : ''}: ${error.message}`);
  return lines.join('\n');
}
