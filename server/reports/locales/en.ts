import type { CallStatus, EntityKind, MessageStatus } from '../../core/rows';
import type { Actor, EventFacts, Messages, RunDeed, RunFacts, RunWhy, StageFacts, TaskChangeFacts } from './messages';

/** The timeline in English: “The robot “30-minute SLA” sent an alert to Anna Petrova on Telegram”. */

const ITEM: Record<EntityKind, string> = { lead: 'lead', deal: 'deal' };

const CHANNEL_ON: Record<string, string> = { outbox: '', telegram: 'on Telegram', email: 'by email', sms: 'by SMS', voice: 'by phone' };
/** ` в Telegram`, with its leading space; nothing for the outbox (the status says the message stayed there). */
const channelOn = (channel: string) => {
  const words = channel ? (CHANNEL_ON[channel] ?? `(${channel})`) : '';
  return words ? ` ${words}` : '';
};

const MESSAGE_STATUS: Record<MessageStatus, string> = {
  queued: 'queued',
  sending: 'sending',
  recorded: 'kept in the outbox (no channel connected)',
  sent: 'sent',
  delivered: 'delivered',
  failed: 'not sent',
  unknown: 'unknown whether it left',
  skipped: 'not sent (skipped)',
};

const CALL_STATUS: Record<CallStatus, string> = {
  initiated: 'dialling',
  ringing: 'ringing',
  answered: 'picked up',
  'in-progress': 'talking',
  completed: 'ended',
  busy: 'busy',
  'no-answer': 'no answer',
  failed: 'failed',
  canceled: 'cancelled',
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const quoted = (text: string) => `“${text}”`;

function byWhom(actor: Actor): string {
  switch (actor.kind) {
    case 'person':
      return ` by ${actor.name}`;
    case 'robot':
      return ` by the robot ${quoted(actor.name)}`;
    case 'trigger':
      return ` by the trigger ${quoted(actor.name)}`;
    case 'form':
      return ` from the form ${quoted(actor.name)}`;
    case 'hook':
      return ` by the webhook ${quoted(actor.name)}`;
    case 'client':
      return ' by the client';
    case 'system':
      return ` (${actor.name})`;
  }
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}

function stage(facts: StageFacts): string {
  const lost = facts.lost
    ? facts.lost.refusedBy === 'client_refused'
      ? `: the client refused — ${quoted(facts.lost.reason)}`
      : facts.lost.refusedBy === 'we_refused'
        ? `: we refused the client — ${quoted(facts.lost.reason)}`
        : `: ${quoted(facts.lost.reason)}`
    : '';
  const item = cap(ITEM[facts.item]);
  if (facts.from === null) return `${item} created in ${quoted(facts.to)}${byWhom(facts.actor)}${lost}`;
  return `${item} moved from ${quoted(facts.from)} to ${quoted(facts.to)}${byWhom(facts.actor)}${lost}`;
}

function deed(what: RunDeed): string {
  switch (what.kind) {
    case 'alerted':
      return `sent an alert to ${what.recipients.join(', ')}${channelOn(what.channel)}`;
    case 'messaged_client':
      return what.channel === 'email' ? 'sent the client an email' : `sent the client a message${channelOn(what.channel)}`;
    case 'task':
      return `set the task ${quoted(what.title)} ${what.assignee ? `for ${what.assignee}` : 'with nobody to do it'}`;
    case 'moved':
      return `moved the ${ITEM[what.item]} to ${quoted(what.stage)}`;
    case 'deal_created':
      return `created deal #${what.id} in ${quoted(what.pipeline)}${what.responsible ? `, responsible ${what.responsible}` : ''}`;
    case 'assigned':
      return `made ${what.responsible} the responsible`;
    case 'calling':
      return `started a callback: calling ${what.agent}`;
    case 'repeat_client':
      return `flagged a repeat client${what.recipients.length ? ` and told ${what.recipients.join(', ')}` : ''}`;
    case 'fields_set':
      return `filled in ${what.fields.map(quoted).join(', ')}`;
    case 'condition_met':
      return 'saw its condition hold';
    case 'wait_timed_out':
      return `stopped waiting after ${what.after}; the robots after it run`;
    case 'webhook':
      return `posted to ${what.url}${what.status === null ? '' : ` (answer ${what.status})`}`;
    case 'other':
      return `done${what.text ? `: ${what.text}` : ''}`;
  }
}

function why(facts: RunFacts, reason: RunWhy | null): string {
  if (reason === null) return '';
  switch (reason.kind) {
    case 'left_stage':
      return `: the ${ITEM[facts.item]} left ${quoted(reason.stage)}${reason.to ? ` for ${quoted(reason.to)}` : ''}`;
    case 'client_replied':
      return ': the client replied';
    case 'goal_reached':
      return `: the goal of ${quoted(reason.stage)} was reached`;
    case 'robot_removed':
      return ': the robot is no longer in the config';
    case 'predecessor_cancelled':
      return `: the robot ${quoted(reason.robot)} it waited for was cancelled`;
    case 'item_gone':
      return `: the ${ITEM[facts.item]} no longer exists`;
    case 'taken':
      return `: the ${ITEM[facts.item]} was already taken, no escalation needed`;
    case 'condition_false':
      return ': its condition did not hold when it was due';
    case 'too_late':
      return `: ${duration(reason.lateMs)} late`;
    case 'wait_timed_out':
      return `: the condition did not hold within ${reason.after}; the robots after it do not run`;
    case 'other':
      return `: ${reason.text}`;
  }
}

function run(facts: RunFacts): string {
  const robot = `The robot ${quoted(facts.robot)}${facts.escalation === null ? '' : ` (escalation ${facts.escalation})`}`;
  switch (facts.status) {
    case 'done': {
      const late = facts.lateMs ? ` ${duration(facts.lateMs)} late` : '';
      if (facts.deed.kind === 'other' && facts.deed.text === null) return `${robot} ran${late}`;
      return `${robot} ${deed(facts.deed)}${late ? ` (${late.trim()})` : ''}`;
    }
    case 'cancelled':
      return `${robot} was cancelled${why(facts, facts.why)}`;
    case 'skipped':
      return `${robot} was skipped${why(facts, facts.why)}`;
    case 'scheduled':
      if (facts.waitsFor !== null && facts.dueText === null) return `${robot} waits for the robot ${quoted(facts.waitsFor)}`;
      if (facts.retriedBy) return `${robot} is queued again${byWhom(facts.retriedBy)}`;
      return `${robot} is due${facts.dueText ? ` ${facts.dueText}` : ''}${facts.why ? ` (${why(facts, facts.why).slice(2)})` : ''}`;
    case 'running':
      return `${robot} is running`;
    case 'failed':
      return `${robot}: attempt ${facts.attempts} failed${facts.dueText ? `, retrying ${facts.dueText}` : ''}${facts.error ? `: ${facts.error}` : ''}`;
    case 'dead':
      return `${robot} gave up${facts.error ? `: ${facts.error}` : ''} (attempts: ${facts.attempts})`;
    case 'unknown':
      return `${robot}: unknown whether the message left — check and retry by hand${facts.error ? ` (${facts.error})` : ''}`;
  }
}

const someone = (facts: EventFacts) => facts.person ?? 'Someone';

const events: Messages['events'] = {
  form_submitted: (facts) => `The client sent the form${facts.name ? ` ${quoted(facts.name)}` : ''}`,
  webhook: (facts) => `Data came by the webhook${facts.name ? ` ${quoted(facts.name)}` : ''}`,
  message_inbound: (facts) => `The client replied${channelOn(facts.channel ?? '')}`,
  call: (facts) =>
    facts.loggedCall
      ? `${someone(facts)} logged ${facts.loggedCall.direction === 'inbound' ? 'an incoming call' : 'a call to the client'}: ${facts.loggedCall.result.replace('_', ' ')}${facts.loggedCall.seconds === null ? '' : `, ${facts.loggedCall.seconds} s`}`
      : facts.outcome === 'answered'
        ? `${someone(facts)} answered the callback`
        : `The callback failed: nobody answered${facts.count ? ` (attempts: ${facts.count})` : ''}`,
  email_opened: () => 'The client opened the email',
  link_clicked: (facts) => `The client clicked a link${facts.name ? `: ${facts.name}` : ''}`,
  page_visit: (facts) => `The client visited ${facts.name ? `the page ${quoted(facts.name)}` : 'the site'}`,
  field_changed: (facts) => `${quoted(facts.name ?? '?')} changed: ${facts.from ?? '—'} → ${facts.to ?? '—'}${byWhom(facts.actor)}`,
  responsible_changed: (facts) => (facts.from ? `Responsible changed: ${facts.from} → ${facts.to ?? '—'}${byWhom(facts.actor)}` : `Responsible set: ${facts.to ?? '—'}${byWhom(facts.actor)}`),
  task_overdue: (facts) => `The task ${quoted(facts.name ?? '?')} is overdue${facts.person ? ` (${facts.person})` : ''}`,
  score_changed: (facts) => `Score of the ${ITEM[facts.item]}: ${facts.from ?? '?'} → ${facts.to ?? '?'}${facts.outcome === 'decay' ? ' (no activity)' : ''}`,
  opt_out: (facts) => `The client opted out of messages${channelOn(facts.channel ?? '')}`,
  email_bounced: (facts) => `An email to the client bounced${facts.reason ? `: ${facts.reason}` : ''}`,
  telegram_linked: () => 'The client started our Telegram bot',
  taken: (facts) => `${someone(facts)} took the ${ITEM[facts.item]} in work from Telegram`,
  call_progress: (facts) => `Call to ${facts.person ?? 'a colleague'}: ${CALL_STATUS[facts.outcome as CallStatus] ?? facts.outcome ?? '?'}`,
  comment: (facts) => `${someone(facts)} commented: ${quoted(facts.reason ?? '')}`,
  merged: (facts) => `${someone(facts)} merged ${facts.count === 1 ? 'the duplicate' : 'the duplicates'} ${facts.name ?? ''} into this ${ITEM[facts.item]}`,
  other: (facts) => `Event ${facts.type}`,
};

function taskChange(facts: TaskChangeFacts): string {
  const task = `Task ${quoted(facts.title)}`;
  const by = byWhom(facts.actor);
  switch (facts.change) {
    case 'done':
      return `${task} done${by}`;
    case 'reopened':
      return `${task} reopened${by}`;
    case 'assigned':
      return facts.from === null ? `${task} assigned to ${facts.to ?? '?'}${by}` : `${task} reassigned from ${facts.from} to ${facts.to ?? '?'}${by}`;
    case 'due_changed':
      return facts.to === null ? `${task}: due time removed${by}` : `${task} now due ${facts.to}${facts.from ? ` (was ${facts.from})` : ''}${by}`;
    case 'renamed':
      return `Task ${quoted(facts.from ?? '')} renamed to ${quoted(facts.to ?? '')}${by}`;
  }
}

export const en: Messages = {
  stage,
  run,
  message: (facts) => {
    if (facts.direction === 'in') return `${facts.channel === 'email' ? 'An email' : 'A message'} from the client${channelOn(facts.channel)}${facts.excerpt ? `: ${quoted(facts.excerpt)}` : ''}`;
    const status = `${MESSAGE_STATUS[facts.status]}${facts.status === 'failed' && facts.error ? ` (${facts.error})` : ''}`;
    if (facts.audience === 'user') return `Alert${facts.recipient ? ` to ${facts.recipient}` : ''}${channelOn(facts.channel)}: ${status}`;
    if (facts.channel === 'email') return `Email to the client${facts.subject ? ` ${quoted(facts.subject)}` : ''}: ${status}`;
    return `Message to the client${channelOn(facts.channel)}: ${status}`;
  },
  events,
  task: (facts) => `Task ${quoted(facts.title)} ${facts.assignee ? `for ${facts.assignee}` : 'with nobody to do it'}${facts.dueText ? `, due ${facts.dueText}` : ''}${facts.status === 'done' ? ' (done)' : ''}`,
  taskChange,
  call: (facts) =>
    `Call ${facts.attempt} to ${facts.agent}: ${CALL_STATUS[facts.status]}${facts.ringSeconds === null ? '' : `, rang ${facts.ringSeconds} s`}${facts.talkSeconds === null ? '' : `, talked ${facts.talkSeconds} s`}`,
  duration,
};
