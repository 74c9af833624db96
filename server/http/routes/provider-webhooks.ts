import { timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import twilio from 'twilio';
import { ReplayedSignatureError, type WebhookReceipts } from '../../auth/webhook-receipts';
import type { ChannelRegistry } from '../../channels/channel';
import type { Clock } from '../../core/clock';
import type { LiveConfig } from '../../core/live-config';
import type { MessageStatus } from '../../core/rows';
import type { Inbound } from '../../inbound/inbound';
import { RowId, TelegramUpdate, TwilioCallStatus, TwilioInboundSms, TwilioSmsStatus } from '../../inbound/provider-payloads';
import type { Messaging } from '../../messaging/messaging';
import type { CallChain } from '../../voice/call-chain';
import { HttpProblem, parse } from '../problem';
import { verifySignature } from '../signatures';
import { formBodies } from '../edge';

/** Twilio's message statuses onto ours; `accepted`/`sending` are Twilio-internal steps. A Map: a status is provider input. */
const SMS_STATUS: ReadonlyMap<string, MessageStatus> = new Map([
  ['accepted', 'sent'],
  ['queued', 'sent'],
  ['sending', 'sent'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['failed', 'failed'],
  ['undelivered', 'failed'],
]);

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

function refused(detail: string): HttpProblem {
  return new HttpProblem({ type: 'urn:robots:unauthenticated-webhook', title: 'Webhook refused', status: 401, detail });
}

function notConfigured(what: string): HttpProblem {
  return new HttpProblem({ type: 'urn:robots:webhook-not-configured', title: 'Webhook not configured', status: 503, detail: `set ${what}` });
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface ProviderWebhookDeps {
  config: LiveConfig;
  clock: Clock;
  /** What authenticates each provider (secrets, our public URL), read per request. */
  channels: Pick<ChannelRegistry, 'webhooks'>;
  inbound: Pick<Inbound, 'recordInboundMessage' | 'receiveEmail' | 'handleTelegramUpdate'>;
  voice: Pick<CallChain, 'onCallStatus' | 'bridgeTwiml'>;
  messaging: Pick<Messaging, 'recordDeliveryStatus'>;
  receipts: Pick<WebhookReceipts, 'spend'>;
}

/**
 * Twilio signs the full URL it posted to (ours, as the public sees it) plus the sorted form
 * parameters with the account's auth token; the library's own validateRequest checks it.
 */
function twilioSignature(deps: Pick<ProviderWebhookDeps, 'config' | 'channels'>) {
  return (request: Request, _response: Response, next: NextFunction) => {
    const { twilioAuthToken, publicUrl } = deps.channels.webhooks;
    if (!twilioAuthToken) return next(notConfigured('TWILIO_AUTH_TOKEN'));
    if (!publicUrl && !deps.config.current.source.public_url) return next(notConfigured('PUBLIC_URL (Twilio signs the URL it posts to)'));
    const base = deps.config.publicUrl;
    const signature = request.get('x-twilio-signature');
    if (!signature) return next(refused('missing X-Twilio-Signature'));
    const params = parse(z.record(z.string(), z.string()), request.body ?? {});
    if (!twilio.validateRequest(twilioAuthToken, signature, base + request.originalUrl, params)) {
      return next(refused('X-Twilio-Signature does not match'));
    }
    next();
  };
}

/** Twilio, Telegram and raw inbound email post here; each is authenticated before anything is written. */
export function providerWebhookRoutes(deps: ProviderWebhookDeps): Router {
  const { inbound, voice, clock } = deps;
  const router = Router();

  const twilioRoutes = Router();
  twilioRoutes.use(...formBodies('64kb'), twilioSignature(deps));

  twilioRoutes.post('/sms-status', async (request, response) => {
    const { message: id } = parse(z.object({ message: RowId }), request.query);
    const params = parse(TwilioSmsStatus, request.body);
    const status = SMS_STATUS.get(params.MessageStatus ?? params.SmsStatus ?? '');
    if (!status) {
      response.status(204).end();
      return;
    }
    await deps.messaging.recordDeliveryStatus(id, {
      status,
      error: status === 'failed' ? `Twilio: ${params.MessageStatus}${params.ErrorCode ? ` (error ${params.ErrorCode})` : ''}` : undefined,
      providerId: params.MessageSid ?? null,
    });
    response.status(204).end();
  });

  twilioRoutes.post('/sms-inbound', async (request, response) => {
    const params = parse(TwilioInboundSms, request.body);
    await inbound.recordInboundMessage({ channel: 'sms', from: params.From, body: params.Body, providerId: params.MessageSid ?? params.SmsSid ?? null });
    response.type('text/xml').send(EMPTY_TWIML);
  });

  twilioRoutes.post('/voice-status', async (request, response) => {
    const { call: id } = parse(z.object({ call: RowId }), request.query);
    const params = parse(TwilioCallStatus, request.body);
    await voice.onCallStatus(id, params.CallStatus, params);
    response.status(204).end();
  });

  twilioRoutes.post('/voice-bridge', async (request, response) => {
    const { call: id } = parse(z.object({ call: RowId }), request.query);
    response.type('text/xml').send(await voice.bridgeTwiml(id));
  });

  router.use('/twilio', twilioRoutes);

  router.post('/email/inbound', express.raw({ type: () => true, limit: '10mb' }), async (request, response) => {
    const secret = deps.channels.webhooks.inboundEmailSecret;
    if (!secret) throw notConfigured('INBOUND_EMAIL_SECRET');
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.get('x-robots-signature');
    const verdict = verifySignature(secret, request.get('x-robots-timestamp'), signature, raw.toString('utf8'), clock.now());
    if (verdict !== true) throw refused(verdict);
    // Text columns cannot hold NUL on Postgres; a mail carrying one is refused before its signature is spent.
    if (raw.includes(0)) throw new HttpProblem({ type: 'urn:robots:invalid-request', title: 'The request is invalid', status: 400, detail: 'NUL bytes are not allowed' });
    try {
      await deps.receipts.spend('email:inbound', signature as string, async () => undefined);
    } catch (error) {
      if (error instanceof ReplayedSignatureError) throw refused(error.message);
      throw error;
    }
    const outcome = await inbound.receiveEmail(raw);
    response.status(202).json(outcome);
  });

  router.post('/telegram', express.json({ limit: '1mb' }), async (request, response) => {
    const secret = deps.channels.webhooks.telegramSecret;
    if (!secret) throw notConfigured('TELEGRAM_WEBHOOK_SECRET');
    if (!sameSecret(request.get('x-telegram-bot-api-secret-token'), secret)) throw refused('X-Telegram-Bot-Api-Secret-Token does not match');
    const outcome = await inbound.handleTelegramUpdate(parse(TelegramUpdate, request.body), secret);
    response.json({ ok: true, outcome });
  });

  return router;
}
