import readline from 'node:readline';
import { SmtpPeer } from './smtp-peer';
import { TelegramPeer } from './telegram-peer';
import { TwilioPeer } from './twilio-peer';
import { peerEnvironment, TWILIO_TEST_FROM } from './environment';

/**
 * `npm run peers`: the three loopback peers for a newcomer's machine. Prints the environment
 * that points `robots serve` at them, shows what arrives, and plays the other side:
 *   press <chat> <message> <data>   a manager presses an inline button
 *   answer <callSid>                the agent picks up (the bridge TwiML is fetched and shown)
 *   noanswer <callSid> | busy <callSid>
 *   delivered <smsSid>              Twilio reports the SMS delivered
 *   reply <from> <text…>            a client answers by SMS
 */
async function main(): Promise<void> {
  const publicUrl = process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000';
  const smtp = new SmtpPeer();
  const twilio = new TwilioPeer();
  const telegram = new TelegramPeer();
  const [smtpAt, twilioAt, telegramAt] = await Promise.all([smtp.start(), twilio.start(), telegram.start()]);
  const env = {
    PUBLIC_URL: publicUrl,
    ...peerEnvironment({ smtpUrl: smtpAt.url, twilio, twilioUrl: twilioAt.url, telegram, telegramUrl: telegramAt.url }),
    TELEGRAM_WEBHOOK_SECRET: 'local-telegram-webhook-secret-32-bytes',
    INBOUND_EMAIL_SECRET: 'local-inbound-email-secret-of-32-bytes',
  };
  console.log('# export these in the terminal that runs `npm start`:');
  for (const [key, value] of Object.entries(env)) console.log(`export ${key}='${value}'`);
  console.log(`# then point the bot's updates at the server:\ncurl -s "${telegramAt.url}/bot${telegram.token}/setWebhook" -d url=${publicUrl}/webhooks/telegram -d secret_token=${env.TELEGRAM_WEBHOOK_SECRET}\n`);

  let mails = 0;
  let seen = 0;
  let requests = 0;
  setInterval(() => {
    for (const mail of smtp.received.slice(mails)) console.log(`✉️  mail to ${mail.envelope.to.join(', ')}: ${mail.parsed.subject} ${mail.parsed.messageId}`);
    mails = smtp.received.length;
    for (const call of telegram.callsOf('sendMessage').slice(seen)) {
      seen += 1;
      console.log(`💬 telegram to chat ${call.payload.chat_id} (message ${seen}): ${call.payload.text}\n   buttons ${JSON.stringify(call.payload.reply_markup ?? null)}`);
    }
    for (const request of twilio.requests.slice(requests)) {
      requests += 1;
      console.log(`📞 ${request.resource === 'Calls' ? 'call' : 'sms'} ${request.sid ?? '(refused)'} to ${request.params.To}${request.params.Body ? `: ${request.params.Body}` : ''}`);
    }
  }, 300);

  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, first = '', ...rest] = line.trim().split(/\s+/);
    const work = (async () => {
      if (command === 'press') return telegram.pressButton({ chatId: Number(first), messageId: Number(rest[0]), data: rest[1] ?? '', from: { id: Number(first), first_name: `chat ${first}` } });
      if (command === 'answer') {
        await twilio.reportCallStatus(first, 'ringing');
        await twilio.reportCallStatus(first, 'in-progress');
        const call = twilio.requests.find((request) => request.sid === first);
        const twiml = await twilio.postSigned(call?.params.Url ?? '', { AccountSid: twilio.accountSid, CallSid: first, CallStatus: 'in-progress', From: call?.params.From ?? '', To: call?.params.To ?? '' });
        console.log(`🔊 bridge TwiML: ${twiml.body}`);
        return twilio.reportCallStatus(first, 'completed', { CallDuration: '30' });
      }
      if (command === 'noanswer' || command === 'busy') return twilio.reportCallStatus(first, command === 'busy' ? 'busy' : 'no-answer');
      if (command === 'delivered') return twilio.reportMessageStatus(first, 'delivered');
      if (command === 'reply')
        return twilio.postSigned(`${publicUrl}/webhooks/twilio/sms-inbound`, { AccountSid: twilio.accountSid, MessageSid: `SM${Date.now()}`, From: first, To: TWILIO_TEST_FROM, Body: rest.join(' ') });
      return `unknown command ${command}`;
    })();
    work.then(
      (result) => console.log('→', typeof result === 'string' ? result : JSON.stringify(result)),
      (error: Error) => console.log('✗', error.message),
    );
  });
}

void main();
