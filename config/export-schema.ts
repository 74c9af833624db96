import fs from 'node:fs';
import path from 'node:path';
import { configJsonSchema } from './registered-schema';

/**
 * Writes config/robots.schema.json, the JSON Schema editors use for robots.yaml
 * (`# yaml-language-server: $schema=./config/robots.schema.json`). Generated from the zod
 * schema in schema.ts, so it never drifts: rerun after changing schema.ts or a robot's params.
 *
 *   npx tsx config/export-schema.ts [output file]
 */
function exportSchema(target = path.join(__dirname, 'robots.schema.json')): string {
  const { $schema, ...schema } = configJsonSchema() as Record<string, unknown>;
  const document = {
    $schema,
    title: 'Robots configuration (robots.yaml)',
    description: 'Pipelines, stages, teams, templates, robots and triggers. Generated from config/schema.ts by config/export-schema.ts; do not edit by hand.',
    ...schema,
  };
  fs.writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  return target;
}

if (require.main === module) {
  const written = exportSchema(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`wrote ${path.relative(process.cwd(), written) || written}`);
}
