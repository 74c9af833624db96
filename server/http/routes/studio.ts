import { Router, type Request } from 'express';
import type { IssueLocale } from '../../../config/messages';
import { z } from 'zod';
import { canOperate } from '../../auth/access';
import type { Clock } from '../../core/clock';
import { ConfigError, NotFoundError } from '../../core/errors';
import { inLocale, type ConfigStudio } from '../../config-ops/studio';
import type { ConfigVersions } from '../../config-ops/versions';
import type { RunQueue } from '../../pipeline/queue';
import { robotActivity } from '../../reads/robot-activity';
import { requireOperation } from '../auth';
import { IdParam, ItemRefText, noQuery } from '../ids';
import type { LiveConfig } from '../../core/live-config';
import type { Store } from '../../db/store';
import { previewTemplate } from '../../config-ops/template-preview';
import { templateVocabulary } from '../../core/template-vocabulary';
import { HttpProblem, parse } from '../problem';

/** The automation studio: the map for ops, admins and managers; the editor, plan, apply and history for ops and admins. */

export interface StudioRouteDeps {
  clock: Clock;
  studio: ConfigStudio;
  versions: ConfigVersions;
  queue: RunQueue;
  config: LiveConfig;
  store: Store;
}

export const PreviewQuery = z.strictObject({ item: ItemRefText.describe('The item to render with: lead:<id> or deal:<id>') });
export const TemplateParam = z.strictObject({ id: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/) });

/** GET /api/templates/:id/preview?item=lead:42 — the template rendered with a real item, as a send renders it. */
export function templatePreviewRoutes(deps: StudioRouteDeps): Router {
  const router = Router();
  router.get('/:id/preview', requireOperation('config.edit'), async (request, response) => {
    const { id } = parse(TemplateParam, request.params);
    const { item } = parse(PreviewQuery, request.query);
    response.json(await previewTemplate({ manager: deps.store.manager, config: deps.config.current, now: deps.clock.now(), publicUrl: deps.config.publicUrl }, id, item));
  });
  router.get('/', requireOperation('config.edit'), noQuery, (_request, response) => {
    response.json({ templates: [...deps.config.current.templates.values()].map((template) => ({ id: template.id, channel: template.spec.channel ?? null })) });
  });
  return router;
}

export const YamlBody = z.strictObject({ yaml: z.string().max(4_000_000).describe('The whole config file as the editor holds it') });
export const ApplyBody = z.strictObject({
  yaml: z.string().max(4_000_000),
  base_hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('sha256 of the file as the editor opened it; a file changed since is a 409, never overwritten'),
  rollback_of: z.number().int().positive().optional().describe('The version this apply puts back'),
});
export const RobotParam = z.strictObject({ id: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/) });

/** POST /api/config/validate: every problem at once, each at its line and column, worded in the reader's language (Accept-Language: ru). */
export const ValidateResponse = z.object({
  valid: z.boolean(),
  errors: z.array(
    z.object({
      file: z.string(),
      line: z.number().int(),
      col: z.number().int(),
      path: z.string().describe('Where in the config: pipelines.deals.services.stages[3].robots[0].template'),
      message: z.string().describe('In the language Accept-Language asks for (en or ru); English by default'),
      code: z.string().optional().describe('A stable code for the kind of problem: unknown_name, unknown_key, bad_duration, …'),
      params: z
        .record(z.string(), z.union([z.string(), z.number(), z.array(z.string())]))
        .optional()
        .describe('What fills the message: the name written, the suggestion, the names known'),
      suggestion: z.string().nullable().describe('The name the file probably meant (did you mean), when there is one'),
    }),
  ),
});

const conflict = (hash: string, diff: string) =>
  new HttpProblem({
    type: 'urn:robots:config-conflict',
    title: 'The config file changed since the editor opened it',
    status: 409,
    code: 'config.conflict',
    detail: 'the file on disk is not the one this edit started from; nothing was written',
    hash,
    diff,
  });
const editOff = () => new HttpProblem({ type: 'urn:robots:forbidden', title: 'Forbidden', status: 403, code: 'config.edit_off', detail: 'editing in the studio is turned off (studio.edit: false)' });

/** The board asks in its reader's language (Accept-Language: ru); API clients and the CLI get English. */
const localeOf = (request: Request): IssueLocale => (request.acceptsLanguages('en', 'ru') === 'ru' ? 'ru' : 'en');

/** GET /api/automation and GET /api/automation/robots/:id. */
export function automationRoutes(deps: StudioRouteDeps): Router {
  const router = Router();
  router.get('/', requireOperation('studio.map'), noQuery, (request, response) => {
    response.json({ ...deps.studio.map(), editable: deps.studio.editable && canOperate(request.user!, 'config.edit'), can_edit_role: canOperate(request.user!, 'config.edit') });
  });
  router.get('/robots/:id', requireOperation('studio.map'), noQuery, async (request, response) => {
    const { id } = parse(RobotParam, request.params);
    const robot = deps.studio
      .map()
      .pipelines.flatMap((pipeline) => pipeline.stages.flatMap((stage) => stage.robots))
      .find((candidate) => candidate.id === id);
    if (!robot) throw new NotFoundError(`no robot ${id} in the running config`);
    let yaml: string[] = [];
    if (robot.lines) {
      try {
        yaml = deps.studio
          .source()
          .yaml.split('\n')
          .slice(robot.lines.from - 1, robot.lines.to);
      } catch {
        yaml = [];
      }
    }
    response.json({ ...(await robotActivity(deps.queue, id, deps.clock.now())), lines: robot.lines, yaml });
  });
  return router;
}

/** /api/config/source, validate, plan, apply and versions. */
export function studioConfigRoutes(deps: StudioRouteDeps): Router {
  const router = Router();
  const edit = requireOperation('config.edit');
  router.get('/source', edit, noQuery, async (_request, response) => {
    const source = deps.studio.source();
    const latest = await deps.versions.latest();
    // The version a draft starts from: what the editor names when the file changes under it.
    response.json({ ...source, version: latest?.hash === source.hash ? latest.id : null, editable: deps.studio.editable, template_vocabulary: templateVocabulary });
  });
  router.post('/validate', edit, noQuery, async (request, response) => {
    const { yaml } = parse(YamlBody, request.body);
    const checked = await deps.studio.check(yaml);
    const answer: z.infer<typeof ValidateResponse> = checked.ok ? { valid: true, errors: [] } : { valid: false, errors: inLocale(checked.issues, localeOf(request)) };
    response.json(answer);
  });
  router.post('/plan', edit, noQuery, async (request, response) => {
    const { yaml } = parse(YamlBody, request.body);
    const planned = await deps.studio.plan(yaml);
    if (!planned.ok) throw new ConfigError(planned.issues);
    response.json(planned.review);
  });
  router.post('/apply', edit, noQuery, async (request, response) => {
    const body = parse(ApplyBody, request.body);
    const outcome = await deps.studio.apply(body.yaml, body.base_hash, request.user!.login, body.rollback_of ?? null);
    if (outcome.status === 'edit_off') throw editOff();
    if (outcome.status === 'conflict') throw conflict(outcome.hash, outcome.diff);
    if (outcome.status === 'invalid') throw new ConfigError(outcome.issues);
    const { yaml: _text, ...version } = outcome.version;
    response.json({ status: 'applied', cancelled_runs: outcome.cancelled_runs, version, hash: version.hash });
  });
  router.get('/versions', edit, noQuery, async (_request, response) => {
    response.json({ versions: await deps.versions.list(), editable: deps.studio.editable });
  });
  router.get('/versions/:id', edit, noQuery, async (request, response) => {
    const { id } = parse(IdParam, request.params);
    const version = await deps.versions.get(id);
    if (!version) throw new NotFoundError(`no config version ${id}`);
    response.json(version);
  });
  return router;
}
