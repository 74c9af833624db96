import { Router } from 'express';
import type { PipelineModel } from '../../core/compiled-config';
import { visibleDealPipelines } from '../../auth/access';
import type { LiveConfig } from '../../core/live-config';
import type { UserRow } from '../../core/rows';
import type { ReadSource } from '../../reads/source';
import { userNames } from '../../reads/users';
import { noQuery } from '../ids';

// Labels for the standard fields, so a refusal can say "fill in Phone", not "phone".
const STANDARD_FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  name: 'Name',
  phone: 'Phone',
  email: 'Email',
  company_name: 'Company',
  source: 'Source',
  responsible: 'Responsible',
  amount: 'Amount',
};

function pipelineView(pipeline: PipelineModel, user: UserRow) {
  return {
    key: pipeline.key,
    kind: pipeline.kind,
    name: pipeline.name,
    team: pipeline.team ?? null,
    // Ops see everything and change nothing (README, Roles).
    can_move: user.role !== 'ops',
    // What a card shows, when the config says (the board has its own default).
    ...(pipeline.spec.board?.card_fields.length ? { board: { card_fields: pipeline.spec.board.card_fields } } : {}),
    stages: pipeline.stages.map((stage) => ({
      id: stage.id,
      name: stage.name ?? stage.id,
      semantic: stage.semantic,
      required: stage.required,
      ...(stage.semantic === 'lost' ? { reasons: (stage.reasons ?? []).map((reason) => ({ id: reason.id, label: reason.label ?? reason.id, refused_by: reason.refused_by })) } : {}),
    })),
  };
}

/**
 * GET /api/config/pipelines: what a board draws for this user — the lead statuses, and the deal
 * pipelines their role lets them see (first line: none), each stage with what it takes to enter.
 */
export function pipelineRoutes(deps: { config: LiveConfig; reads: ReadSource }): Router {
  const router = Router();
  router.get('/', noQuery, async (request, response) => {
    const config = deps.config.current;
    const user = request.user!;
    const visible = visibleDealPipelines(config, user);
    const deals = [...config.deals.values()].filter((pipeline) => visible === 'all' || (visible !== 'none' && visible.includes(pipeline.key)));
    const fieldLabels: Record<string, string> = { ...STANDARD_FIELD_LABELS };
    for (const [id, field] of Object.entries(config.source.fields)) fieldLabels[id] = field.label ?? id;
    response.json({
      user: { login: user.login, name: user.name, role: user.role },
      // The language of the timeline's sentences, so the board can speak the same one.
      locale: config.source.locale,
      // Due times and "today" are the team's: the pages show them in this zone, not the browser's.
      timezone: config.source.timezone,
      leads: pipelineView(config.leads, user),
      deals: deals.map((pipeline) => pipelineView(pipeline, user)),
      field_labels: fieldLabels,
      // The board's forms: each custom field with its type (and an enum's values), in config order.
      fields: Object.entries(config.source.fields).map(([id, field]) => ({ id, label: field.label ?? id, type: field.type, ...(field.values ? { values: field.values } : {}) })),
      // Cards and filters show a person's name, not a login (config users and those added later).
      users: (await userNames(deps.reads)).map((row) => ({ login: row.login, name: row.name })),
      // Sources the config names: a form's lead says its form's name, a hook's lead its hook.
      source_labels: Object.fromEntries([
        ...Object.entries(config.source.forms).map(([id, form]) => [`form:${id}`, form.name ?? `Form ${id}`]),
        ...Object.keys(config.source.hooks).map((id) => [`hook:${id}`, `Webhook ${id}`]),
      ]),
    });
  });
  return router;
}
