import express, { Router } from 'express';
import { z } from 'zod';
import type { LeadImport } from '../../import/import-leads';
import { unsupportedMediaType } from '../edge';
import { parse } from '../problem';

/** The most a CSV upload may weigh: a 100,000-row export is about 8 MB. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

const Flag = z.enum(['1', '0', 'true', 'false']).transform((value) => value === '1' || value === 'true');

/** POST /api/import's query: the CLI's options by the same names. */
export const ImportQuery = z.strictObject({
  map: z.string().max(4000).optional().describe('field=column pairs, e.g. name=ФИО,phone=Телефон'),
  dry_run: Flag.optional(),
  run_robots: Flag.optional(),
  duplicates: z.enum(['update', 'skip']).optional(),
});

/**
 * The CSV file itself is the body (text/csv, as exported: its bytes, whatever the encoding); the
 * options come in the query. The answer is the import's report, with every refused row.
 */
export function importRoutes(deps: { leadImport: LeadImport }): Router {
  const router = Router();
  router.post('/', express.raw({ type: () => true, limit: MAX_IMPORT_BYTES }), async (request, response) => {
    const type = request.get('content-type') ?? '';
    if (!/^(text\/csv|text\/plain|application\/octet-stream|application\/vnd\.ms-excel)\b/i.test(type)) throw unsupportedMediaType(request, ['text/csv']);
    const query = parse(ImportQuery, request.query);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const report = await deps.leadImport.run(body, { map: query.map ?? {}, dry_run: query.dry_run ?? false, run_robots: query.run_robots ?? false, duplicates: query.duplicates ?? 'skip' }, `user:${request.user!.login}`);
    response.status(report.dry_run ? 200 : 201).json(report);
  });
  return router;
}
