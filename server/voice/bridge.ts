import Handlebars from 'handlebars';
import twilio from 'twilio';
import { VoiceChannel } from '../channels/voice';
import { CallEntity } from '../db/entities';
import { loadItem } from '../records/item-rows';
import { loadContext } from '../pipeline/load-context';
import type { Engine } from '../engine/engine';
import { callbackSettingsOfRun, recordProgress } from './call-chain';

/** The TwiML an answering agent hears: a whisper naming the lead, then the lead's phone. */
export async function bridgeTwiml(engine: Engine, callId: number): Promise<string> {
  const response = new twilio.twiml.VoiceResponse();
  const call = await engine.store.manager.findOne(CallEntity, { where: { id: callId } });
  const item = call ? await loadItem(engine.store.manager, { kind: call.entityType, id: call.entityId }) : null;
  if (!call || !item) {
    response.say('This callback is no longer needed. Goodbye.');
    response.hangup();
    return response.toString();
  }
  const phone = item.row.phone ?? call.clientPhone;
  if (!phone) {
    response.say('The lead has no phone number. Goodbye.');
    response.hangup();
    return response.toString();
  }
  const settings = await callbackSettingsOfRun(engine, call.runId);
  const context = await loadContext(engine.store.manager, engine.config, item, engine.now(), engine.publicUrl);
  response.say(Handlebars.compile(settings.whisper, { noEscape: true })(context));
  const voice = engine.channels.adapter('voice');
  const dial = response.dial({ callerId: voice instanceof VoiceChannel ? voice.callerId : undefined, answerOnBridge: true });
  dial.number(phone);
  await recordProgress(engine, call, 'bridging', `bridging ${call.agentLogin ?? 'the agent'} to ${phone}`);
  return response.toString();
}

