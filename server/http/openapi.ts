import { z } from 'zod';
import { DealPatch, LeadPatch, NewDealInput, NewLeadInput } from '../core/inputs';
import { BoardQuery, BoardResponse, ExportQuery, EXPORT_COLUMNS, EXPORT_MAX_ROWS, ItemListQuery, ItemListResponse, MoveBody } from './routes/items';
import { ConsentInput, ContactQuery } from './routes/contacts';
import { ImportQuery } from './routes/import';
import { MergeBody } from './routes/merge';
import { MessageQuery, RunQuery } from './routes/runs';
import { EventQuery } from './routes/events';
import { NewTaskBody, TaskPatch, TaskQuery } from './routes/tasks';
import { BulkBody } from './routes/bulk';
import { CommentBody, LoggedCallBody } from './routes/item-activity';
import { NotificationQuery } from './routes/notifications';
import { FunnelQuery } from './routes/analytics';
import { NewUserInput } from './routes/users';
import { LoginInput } from './routes/auth';
import { ReloadQuery } from './routes/config-reload';
import { ApplyBody, PreviewQuery, RobotParam, TemplateParam, ValidateResponse, YamlBody } from './routes/studio';
import { MAX_ROW_ID } from './ids';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const problem = { description: 'Problem details (application/problem+json), with the request id as `request_id`' };
/** A body that is not application/json (UTF-8) is refused before its schema. */
const unsupported = { 415: problem };
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: json(schema) } } });
const queryParameters = (schema: z.ZodObject) => Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, parameter]) => ({ name, in: 'query', required: false, schema: json(parameter) }));
const pathParameters = (schema: z.ZodObject) => Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, parameter]) => ({ name, in: 'path', required: true, schema: json(parameter) }));
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: MAX_ROW_ID } };

function itemPaths(kind: 'leads' | 'deals', create: z.ZodType, patch: z.ZodType) {
  return {
    [`/api/${kind}`]: {
      post: {
        summary: `Create a ${kind.slice(0, -1)} in its first stage (entry robots are scheduled)`,
        requestBody: body(create),
        responses: { 201: { description: 'Created' }, 400: problem, 403: problem, 422: problem, ...unsupported },
      },
      get: {
        summary: `List ${kind} you may see: a page (offset, or keyset with before/next_before) and the total`,
        parameters: queryParameters(ItemListQuery),
        responses: { 200: { description: 'Items', content: { 'application/json': { schema: json(ItemListResponse) } } }, 400: problem, 403: problem },
      },
    },
    [`/api/${kind}/board`]: {
      get: {
        summary: `Columns of the ${kind} board: per stage of the pipeline (config order, empty ones too) the count and the sum of amounts under the filters and your scope`,
        parameters: queryParameters(BoardQuery),
        responses: { 200: { description: 'Columns', content: { 'application/json': { schema: json(BoardResponse) } } }, 400: problem, 403: problem },
      },
    },
    [`/api/${kind}/export.csv`]: {
      get: {
        summary: `What the list shows as CSV (UTF-8 with BOM, up to ${EXPORT_MAX_ROWS.toLocaleString('en-US')} rows, the list's order): ${EXPORT_COLUMNS.join(', ')}`,
        parameters: queryParameters(ExportQuery),
        responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 400: problem, 403: problem },
      },
    },
    [`/api/${kind}/{id}`]: {
      get: { summary: 'Read one', parameters: [idParameter], responses: { 200: { description: 'Item' }, 403: problem, 404: problem } },
      patch: { summary: 'Change fields', parameters: [idParameter], requestBody: body(patch), responses: { 200: { description: 'Item' }, 400: problem, 403: problem, ...unsupported } },
    },
    [`/api/${kind}/{id}/comments`]: {
      post: {
        summary: 'Comment on it (a `comment` event, on the timeline)',
        parameters: [idParameter],
        requestBody: body(CommentBody),
        responses: { 201: { description: 'The comment' }, 400: problem, 403: problem, 404: problem, ...unsupported },
      },
    },
    [`/api/${kind}/{id}/calls`]: {
      post: {
        summary: 'Log a call made or taken by hand (a `call` event triggers react to)',
        parameters: [idParameter],
        requestBody: body(LoggedCallBody),
        responses: { 201: { description: 'The call' }, 400: problem, 403: problem, 404: problem, ...unsupported },
      },
    },
    [`/api/${kind}/{id}/tasks`]: {
      get: { summary: 'Every task of it', parameters: [idParameter], responses: { 200: { description: 'Tasks with total' }, 403: problem, 404: problem } },
    },
    [`/api/${kind}/bulk`]: {
      post: { summary: 'Move, assign or give a task to up to 500 items, each on its own', requestBody: body(BulkBody), responses: { 200: { description: 'One result per id' }, 400: problem, ...unsupported } },
    },
    [`/api/${kind}/{id}/move`]: {
      post: {
        summary: 'Move to a stage: required fields and lost reasons are checked; robots of the stage are scheduled',
        parameters: [idParameter],
        requestBody: body(MoveBody),
        responses: { 200: { description: 'Moved' }, 400: problem, 403: problem, 422: problem, ...unsupported },
      },
    },
    [`/api/${kind}/{id}/timeline`]: { get: { summary: 'Stage history, robot runs, messages, events, tasks', parameters: [idParameter], responses: { 200: { description: 'Timeline' } } } },
  };
}

/** The OpenAPI document, derived from the same zod schemas the handlers parse with. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Robots API', version: '0.1.0', description: 'CRM automation as code: pipelines, robots and triggers from YAML' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        // People on the board; their writes also carry X-CSRF-Token (POST /auth/login, GET /auth/me).
        session: { type: 'apiKey', in: 'cookie', name: 'robots_session' },
        // GET /api/stream only: what a board signed in with a token passes to EventSource.
        streamToken: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      ...itemPaths('leads', NewLeadInput, LeadPatch),
      ...itemPaths('deals', NewDealInput, DealPatch),
      '/api/contacts': { get: { summary: 'Find contacts by phone or email', parameters: queryParameters(ContactQuery), responses: { 200: { description: 'Contacts' } } } },
      '/api/contacts/{id}/consent': {
        get: {
          summary: "The contact's consent per channel (email, sms, telegram, call): allowed or not, the latest word, its source and time, the config's rule",
          parameters: [idParameter],
          responses: { 200: { description: 'Consent per channel' }, 404: problem },
        },
        put: {
          summary: 'Record what the client said about a channel (source manual; any role that sees contacts)',
          parameters: [idParameter],
          requestBody: body(ConsentInput),
          responses: { 200: { description: 'Consent per channel' }, 400: problem, 403: problem, 404: problem, ...unsupported },
        },
      },
      ...Object.fromEntries(
        (['leads', 'contacts'] as const).map((plural) => [
          `/api/${plural}/{id}/merge`,
          {
            post: {
              summary: `Merge duplicate ${plural} into this one (ops, admin): one transaction, final (no undo); the others answer 404 after`,
              parameters: [idParameter],
              requestBody: body(MergeBody),
              responses: { 200: { description: 'What was merged' }, 400: problem, 403: problem, 404: problem, 409: problem, ...unsupported },
            },
          },
        ]),
      ),
      '/api/import': {
        post: {
          summary: 'Import leads from a CSV export (ops, admin): the file is the body (text/csv; UTF-8 or Windows-1251, `;` or `,`); the report lists every refused row',
          parameters: queryParameters(ImportQuery),
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string', format: 'binary' } } } },
          responses: { 200: { description: 'Dry run report' }, 201: { description: 'Import report' }, 400: problem, 403: problem, 413: problem, 415: problem },
        },
      },
      '/api/runs': { get: { summary: "Robot runs (ops, admin; managers: their team's items)", parameters: queryParameters(RunQuery), responses: { 200: { description: 'Runs' }, 403: problem, 404: problem } } },
      '/api/runs/{id}/retry': { post: { summary: 'Put a dead, failed or unknown run back in the queue (ops, admin)', parameters: [idParameter], responses: { 200: { description: 'Run' }, 400: problem } } },
      '/api/messages': {
        get: {
          summary: "Messages: the outbox and what channels sent (ops, admin; managers: their team's items and their own alerts)",
          parameters: queryParameters(MessageQuery),
          responses: { 200: { description: 'Messages' }, 403: problem, 404: problem },
        },
      },
      '/api/users': {
        get: { summary: 'API users and their token counts (admin)', responses: { 200: { description: 'Users' }, 403: problem } },
        post: {
          summary: 'Add an API user (admin); a user of robots.yaml is changed there (409)',
          requestBody: body(NewUserInput),
          responses: { 201: { description: 'User' }, 400: problem, 403: problem, 409: problem, ...unsupported },
        },
      },
      '/api/users/{login}/tokens': {
        post: { summary: 'Issue a token, shown once (admin)', responses: { 201: { description: 'Token' }, 404: problem } },
        delete: { summary: 'Revoke every token of the user (admin)', responses: { 200: { description: 'Revoked' }, 404: problem } },
      },
      '/api/config/pipelines': {
        get: { summary: 'Pipelines and stages your role may see (required fields, lost reasons), custom fields with their types, user names, source labels', responses: { 200: { description: 'Pipelines' } } },
      },
      '/api/stream': {
        get: {
          summary:
            'Live updates (text/event-stream) of the items you may read: `event: item` with `{kind, id, change: created|moved|updated, stage, pipeline, item}` (item as the lists show it), `event: config` with `{version, hash, author}` when the running config is replaced (to those who may see the automation map), a `: heartbeat` comment every 15 s. No replay: after a reconnect, reload the lists',
          // EventSource cannot send headers: a token may come in the query, on this route only.
          security: [{ bearer: [] }, { session: [] }, { streamToken: [] }],
          responses: { 200: { description: 'The event stream', content: { 'text/event-stream': {} } }, 400: problem, 401: problem, 503: problem },
        },
      },
      '/api/tasks': {
        post: { summary: 'Give a task on an item (to yourself unless `assignee`)', requestBody: body(NewTaskBody), responses: { 201: { description: 'Task' }, 400: problem, 403: problem, 404: problem, ...unsupported } },
        get: {
          summary: 'Tasks of items you may see and tasks assigned to you; open ones overdue first, then by due time',
          parameters: queryParameters(TaskQuery),
          responses: { 200: { description: 'Tasks with total, limit, offset' }, 400: problem },
        },
      },
      '/api/notifications': {
        get: { summary: 'What was sent to you, newest first, with the unread count', parameters: queryParameters(NotificationQuery), responses: { 200: { description: 'Notifications' }, 400: problem } },
      },
      '/api/notifications/{id}/read': { post: { summary: 'Mark one of yours read', parameters: [idParameter], responses: { 200: { description: 'Read' }, 404: problem } } },
      '/api/notifications/read-all': { post: { summary: 'Mark all of yours read', responses: { 200: { description: 'How many' } } } },
      '/api/tasks/{id}': {
        patch: {
          summary: "Complete, reopen, reassign or re-date a task (whoever may change its item, and its assignee); each change is on the item's timeline",
          parameters: [idParameter],
          requestBody: body(TaskPatch),
          responses: { 200: { description: 'Task' }, 400: problem, 403: problem, 404: problem, ...unsupported },
        },
      },
      '/api/events': {
        get: {
          summary: 'Inbound events with what they matched and fired; `item=` of an item you may not see is a 404',
          parameters: queryParameters(EventQuery),
          responses: { 200: { description: 'Events' }, 403: problem, 404: problem },
        },
      },
      '/api/analytics/funnel': {
        get: {
          summary: "Funnel report of a pipeline (ops, admins, managers; a deal pipeline's only to its team's managers)",
          parameters: queryParameters(FunnelQuery),
          responses: { 200: { description: 'Report' }, 400: problem, 403: problem },
        },
      },
      '/forms/{formId}': {
        post: {
          summary: 'Public web form submission (no token)',
          security: [],
          responses: { 201: { description: 'Lead created' }, 200: { description: 'Repeat touch on an open lead' }, 303: { description: 'Redirect' }, 422: problem, 429: problem },
        },
      },
      '/hooks/{name}': {
        post: {
          summary: 'Named inbound webhook, HMAC-SHA256 signed (no token); a refused body does not spend its signature',
          security: [],
          responses: { 201: { description: 'Lead created' }, 202: { description: 'Event accepted' }, 400: problem, 401: problem, 415: problem },
        },
      },
      '/api/config/reload': {
        post: {
          summary:
            'Reload robots.yaml (ops, admin): invalid → 422 with every error, the running config stays. `?dry_run=1` changes nothing and answers the plan: runs cancelled (`cancelled_runs`, `cancelled_run_ids`), robots changed, added, stages removed with items in them, triggers, templates whose words change (with the pending runs that will send them)',
          parameters: queryParameters(ReloadQuery),
          responses: { 200: { description: 'Reloaded `{status: "reloaded", cancelled_runs}`, or the plan `{status: "planned", …}`' }, 400: problem, 403: problem, 422: problem },
        },
      },
      '/api/automation': {
        get: {
          summary:
            "The automation map (ops, admins, managers): every pipeline with its stages, the robots of each (timing in the config's words, conditions, branches, escalation ladders, the lines they are written on) and the triggers that move items into it; `editable` says whether this reader may edit in the studio",
          responses: { 200: { description: 'The map' }, 403: problem },
        },
      },
      '/api/automation/robots/{id}': {
        get: {
          summary: 'One robot of the running config: pending runs, its runs of the last 7 days by outcome, and its lines of robots.yaml',
          parameters: pathParameters(RobotParam),
          responses: { 200: { description: 'Activity and source lines' }, 403: problem, 404: problem },
        },
      },
      '/api/templates': { get: { summary: 'The templates of the running config with their channels (ops, admin)', responses: { 200: { description: 'Templates' }, 403: problem } } },
      '/api/templates/{id}/preview': {
        get: {
          summary: 'A template rendered with a real item as a send would render it: the text, subject and HTML, and for SMS its length, encoding and segments (ops, admin)',
          parameters: [...pathParameters(TemplateParam), ...queryParameters(PreviewQuery).map((parameter) => ({ ...parameter, required: true }))],
          responses: { 200: { description: 'The rendered template' }, 400: problem, 403: problem, 404: problem },
        },
      },
      '/api/config/source': {
        get: {
          summary:
            'robots.yaml as it is on disk (ops, admin): its text, sha256 (`hash`, what an apply sends back as `base_hash`) and the history version it is (`version`, null when none has its bytes), and what templates may call and read (`template_vocabulary`: helpers with their arguments, context paths) for the completion of the editor',
          responses: { 200: { description: 'The file' }, 403: problem },
        },
      },
      '/api/config/validate': {
        post: {
          summary: 'Check a draft as `robots validate` does, every problem at once (ops, admin); the messages are in the language Accept-Language asks for (en, ru), English by default',
          requestBody: body(YamlBody),
          responses: { 200: { description: 'Valid, or every problem', content: { 'application/json': { schema: json(ValidateResponse) } } }, 400: problem, 403: problem, 413: problem, ...unsupported },
        },
      },
      '/api/config/plan': {
        post: {
          summary:
            'What applying a draft would do (ops, admin), changing nothing: runs cancelled, robots changed and added, stages removed with items in them, triggers, templates reworded, the diff, and the hash an apply must still find; an invalid draft is a 422 with every error',
          requestBody: body(YamlBody),
          responses: { 200: { description: 'The plan' }, 400: problem, 403: problem, 422: problem, ...unsupported },
        },
      },
      '/api/config/apply': {
        post: {
          summary:
            'Write a draft and reload (ops, admin; not with `studio.edit: false`): refused with a 409 and the diff when the file changed since `base_hash`, never written over; kept as a version (a rollback names `rollback_of`)',
          requestBody: body(ApplyBody),
          responses: { 200: { description: '`{status: "applied", cancelled_runs, version, hash}`' }, 400: problem, 403: problem, 409: problem, 422: problem, ...unsupported },
        },
      },
      '/api/config/versions': {
        get: {
          summary: 'Every config the server ran, newest first, without their text (ops, admin): author (`file` for a change on disk), time, hash, plan summary, the version it rolled back to',
          responses: { 200: { description: 'Versions' }, 403: problem },
        },
      },
      '/api/config/versions/{id}': {
        get: { summary: 'One version with its whole text (what a rollback applies)', parameters: [idParameter], responses: { 200: { description: 'The version' }, 403: problem, 404: problem } },
      },
      '/api/config/schema': { get: { summary: 'JSON Schema of robots.yaml for editors', security: [], responses: { 200: { description: 'JSON Schema' } } } },
      '/api/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI' } } } },
      '/healthz': { get: { summary: 'Liveness and what is running', security: [], responses: { 200: { description: 'OK' } } } },
      '/auth/login': {
        post: {
          summary: 'Sign a person in with login and password: sets the robots_session cookie, answers {user, csrf_token}; a wrong login or password is the same 401; rate-limited per address and per login',
          security: [],
          requestBody: body(LoginInput),
          responses: { 200: { description: 'Signed in' }, 400: problem, 401: problem, 429: problem, ...unsupported },
        },
      },
      '/auth/logout': { post: { summary: 'End the session and clear its cookie', security: [], responses: { 204: { description: 'Signed out' } } } },
      '/auth/me': { get: { summary: "The session's user and CSRF token", security: [{ session: [] }], responses: { 200: { description: 'User and csrf_token' }, 401: problem } } },
      '/auth/link': {
        get: {
          summary: 'A one-time sign-in link from an alert (15 minutes): opens a session and redirects to the item on the board; used, expired or altered: a 401 page offering sign-in',
          security: [],
          parameters: [{ name: 'token', in: 'query', required: true, schema: { type: 'string' } }],
          responses: { 303: { description: 'Signed in; Location is /board/#<kind>-<id>' }, 401: { description: 'An HTML page saying why' } },
        },
      },
    },
  };
}
