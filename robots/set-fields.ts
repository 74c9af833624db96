import { z } from 'zod';
import { defineRobot } from './contract';
import { robotActor } from './notifications';
import { renderText } from '../server/core/templates';

/** Writes custom field values; string values are handlebars against the context. */
export const setFields = defineRobot({
  type: 'set_fields',
  description: 'Set custom field values (strings may use handlebars)',
  params: z.object({
    values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
  references: (params) => Object.keys(params.values).map((field) => ({ kind: 'field' as const, value: field, path: ['values'] })),
  async run(context) {
    const { params, ports, item } = context;
    const rendered = Object.fromEntries(Object.entries(params.values).map(([field, value]) => [field, typeof value === 'string' ? renderText(ports.config.source, value, context.context) : value]));
    await ports.updateItem({ kind: item.kind, id: item.row.id }, { fields: rendered as Record<string, string | number | boolean | null> }, robotActor(context), context.run.causalDepth + 1);
    return {
      outcome: 'done',
      detail: `set ${Object.entries(rendered)
        .map(([field, value]) => `${field}=${JSON.stringify(value)}`)
        .join(', ')}`,
      reason: { code: 'done.fields_set', params: { fields: Object.keys(rendered) } },
    };
  },
});
