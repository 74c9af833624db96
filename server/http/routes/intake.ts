import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { ReplayedSignatureError, type WebhookReceipts } from '../../auth/webhook-receipts';
import type { Clock } from '../../core/clock';
import { InvalidRequestError, NotFoundError } from '../../core/errors';
import { ownValue } from '../../core/inputs';
import type { LiveConfig } from '../../core/live-config';
import { MIN_SECRET_BYTES, weakSecrets } from '../../core/secrets';
import type { Inbound } from '../../inbound/inbound';
import { intakeView, mapFields } from '../../inbound/intake';
import type { Pipeline } from '../../pipeline/pipeline';
import { itemView } from '../../core/items';
import { formBodies, parseJsonText, unsupportedMediaType } from '../edge';
import { ItemRefText } from '../ids';
import { HttpProblem, parse, RequestValidationError } from '../problem';
import { RateLimiter } from '../rate-limit';
import { verifySignature } from '../signatures';

const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;

export interface IntakeCounters {
  honeypot: number;
  rateLimited: number;
  rejectedWebhooks: number;
}

function truthy(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['1', 'on', 'yes', 'true'].includes(value.toLowerCase()));
}

/** A value a `fields:` mapping may put on a lead: one plain value, not a list or an object. */
const MappedValue = z.union([z.string().max(10000), z.number(), z.boolean(), z.null()], { error: 'expected a string, number or boolean' });

/** A form or hook body: an object whose mapped keys hold plain values; other keys are kept aside. */
function intakeBody(mapping: Record<string, string>) {
  return z.looseObject(Object.fromEntries(Object.keys(mapping).map((key) => [key, MappedValue.optional()])));
}

/** A named hook's body may name its item (`"item": "lead:42"`); otherwise it is found by phone or email. */
const HookItem = z.looseObject({ item: ItemRefText.optional() });

function wantsRedirect(request: Request): boolean {
  return !request.is('application/json') && !(request.get('accept') ?? '').includes('application/json');
}

/** Public web forms: POST /forms/:formId (urlencoded or JSON). */
export function formRoutes(deps: { config: LiveConfig; clock: Clock; inbound: Pick<Inbound, 'intakeLead' | 'optIn'> }, counters: IntakeCounters): Router {
  const router = Router();
  const limiter = new RateLimiter(deps.clock);
  router.use(formBodies('64kb'));

  router.post('/:formId', async (request, response) => {
    const formId = request.params.formId;
    const form = ownValue(deps.config.current.source.forms, formId);
    if (!form) throw new NotFoundError(`no form "${formId}"`);
    const wait = limiter.take(`${formId}:${request.ip}`, form.rate_limit);
    if (wait > 0) {
      counters.rateLimited += 1;
      response.set('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpProblem({ type: 'urn:robots:rate-limited', title: 'Too many submissions', status: 429, detail: `try again in ${Math.ceil(wait / 1000)} s` });
    }
    const body = parse(z.record(z.string(), z.unknown()), request.body ?? {});
    const values = parse(intakeBody(form.fields), { ...request.query, ...body });
    const redirect = form.redirect && wantsRedirect(request);
    // A bot filled the hidden field: answer as if all went well, write nothing.
    if (form.honeypot && typeof values[form.honeypot] === 'string' && (values[form.honeypot] as string).trim() !== '') {
      counters.honeypot += 1;
      if (redirect) return response.redirect(303, form.redirect as string);
      return response.status(202).json({ status: 'accepted' });
    }
    if (form.consent_field && !truthy(values[form.consent_field])) {
      throw new HttpProblem({
        type: 'urn:robots:consent-required',
        title: 'Consent is required',
        status: 422,
        detail: `the form needs "${form.consent_field}" ticked`,
        errors: [{ path: form.consent_field, message: 'consent is required' }],
      });
    }
    const { input, unmapped } = mapFields(values, form.fields);
    if (!input.phone && !input.email) {
      throw new InvalidRequestError(`a submission needs a phone or an email (form fields: ${Object.keys(form.fields).join(', ')})`);
    }
    const utm = Object.fromEntries(UTM_KEYS.filter((key) => typeof values[key] === 'string').map((key) => [key, values[key]]));
    input.source = (utm.utm_source as string | undefined) ?? form.source ?? `form:${formId}`;
    input.stage = form.stage;
    const extra = Object.fromEntries(Object.entries(unmapped).filter(([key]) => !UTM_KEYS.includes(key as (typeof UTM_KEYS)[number]) && key !== form.honeypot && key !== form.consent_field));
    const result = await deps.inbound.intakeLead(input, {
      type: 'form_submitted',
      actor: `form:${formId}`,
      payload: { form: formId, utm, consent: form.consent_field ? true : undefined, extra, ip: request.ip },
    });
    // The box was ticked (a submission without it was refused above): the client said yes to these channels.
    if (form.consent_field && form.consent_channels?.length) await deps.inbound.optIn(result.item, form.consent_channels, 'form', `form:${formId}`);
    if (redirect) return response.redirect(303, form.redirect as string);
    response.status(result.merged ? 200 : 201).json(intakeView(result));
  });
  return router;
}

export interface HookRouteDeps {
  config: LiveConfig;
  clock: Clock;
  inbound: Pick<Inbound, 'intakeLead' | 'ingest' | 'findItemByAddress'>;
  /** Tells the workers that what a hook scheduled is committed. */
  pipeline: Pick<Pipeline, 'runsCommitted'>;
  receipts: Pick<WebhookReceipts, 'spend'>;
}

/** Named inbound webhooks: POST /hooks/:name, HMAC-SHA256 over `timestamp.body`, replays refused. */
export function hookRoutes(deps: HookRouteDeps, counters: IntakeCounters): Router {
  const { inbound, clock } = deps;
  const router = Router();
  router.use(express.raw({ type: '*/*', limit: '256kb' }));

  router.post('/:name', async (request, response) => {
    const name = request.params.name;
    const hook = ownValue(deps.config.current.source.hooks, name);
    if (!hook) throw new NotFoundError(`no hook "${name}"`);
    const secret = process.env[hook.secret_env];
    // A short secret is as good as none: it was set after the start-up check (a reload added the hook).
    if (!secret || weakSecrets(process.env, [hook.secret_env]).length > 0) {
      throw new HttpProblem({ type: 'urn:robots:hook-not-configured', title: 'Hook secret not configured', status: 503, detail: `set ${hook.secret_env} to at least ${MIN_SECRET_BYTES} bytes` });
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.get('x-robots-signature');
    const verdict = verifySignature(secret, request.get('x-robots-timestamp'), signature, raw.toString('utf8'), clock.now());
    const reject = (detail: string) => {
      counters.rejectedWebhooks += 1;
      return new HttpProblem({ type: 'urn:robots:unauthenticated-webhook', title: 'Webhook refused', status: 401, detail });
    };
    if (verdict !== true) throw reject(verdict);

    // Only a request that is signed *and* well-formed consumes its signature, so a sender whose
    // body was refused can fix it and sign again. Reads are fine before the receipt; writes are not.
    if (request.is('application/json') === false) throw unsupportedMediaType(request, ['application/json']);
    const json = parseJsonText(raw);
    if (!json.ok) throw json.problem;
    if (json.value === null || typeof json.value !== 'object' || Array.isArray(json.value)) {
      throw new RequestValidationError([{ path: '(body)', message: 'expected a JSON object' }]);
    }
    const payload = parse(intakeBody(hook.fields), json.value);
    const { item } = parse(HookItem, payload);
    const { input } = mapFields(payload, hook.fields);
    const eventPayload = { hook: name, data: json.value };
    const actor = `hook:${name}`;

    // The signature's receipt, the lead and the event are one transaction: a request refused
    // half-way writes nothing and gives its signature back; a replay finds the receipt.
    const answer = await deps.receipts
      .spend(actor, signature as string, async (manager) => {
        const ref = item ?? (await inbound.findItemByAddress({ phone: input.phone, email: input.email }, manager));
        if (!ref && hook.creates_lead && (input.phone || input.email)) {
          input.source = input.source ?? hook.source ?? actor;
          const result = await inbound.intakeLead(input, { type: 'webhook', actor, payload: eventPayload }, manager);
          return { status: 201, body: intakeView(result) as object };
        }
        const result = await inbound.ingest({ type: 'webhook', item: ref, actor, payload: eventPayload, unmatched: 'no lead or deal matches the payload' }, manager);
        return { status: 202, body: { event_id: result.event.id, outcome: result.outcome, item: result.item ? itemView(result.item) : null } };
      })
      .catch((error: unknown) => {
        throw error instanceof ReplayedSignatureError ? reject(error.message) : error;
      });
    // What the hook scheduled was invisible to other connections until the commit.
    deps.pipeline.runsCommitted();
    response.status(answer.status).json(answer.body);
  });
  return router;
}
