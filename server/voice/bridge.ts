import twilio from 'twilio';
import { VoiceChannel } from '../channels/voice';
import { CallEntity } from '../db/entities';
import { loadItem } from '../records/item-rows';
import { loadContext } from '../pipeline/load-context';
import { renderText } from '../core/templates';
import { callbackSettingsOfRun, recordProgress, type VoiceDeps } from './voice-deps';

/** The TwiML an answering agent hears: a whisper naming the lead, then the lead's phone. */
export async function bridgeTwiml(deps: VoiceDeps, callId: number): Promise<string> {
  const response = new twilio.twiml.VoiceResponse();
  const call = await deps.store.manager.findOne(CallEntity, { where: { id: callId } });
  const item = call ? await loadItem(deps.store.manager, { kind: call.entityType, id: call.entityId }) : null;
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
  const settings = await callbackSettingsOfRun(deps, call.runId);
  const context = await loadContext(deps.store.manager, deps.config.current, item, deps.clock.now(), deps.config.publicUrl);
  response.say(renderText(deps.config.current.source, settings.whisper, context));
  const voice = deps.channels.adapter('voice');
  const dial = response.dial({ callerId: voice instanceof VoiceChannel ? voice.callerId : undefined, answerOnBridge: true });
  dial.number(phone);
  await recordProgress(deps, call, 'bridging', `bridging ${call.agentLogin ?? 'the agent'} to ${phone}`);
  return response.toString();
}
