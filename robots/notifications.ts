import { z } from 'zod';
import type { ChannelNameType, UserSpec } from '../config/schema';
import { itemAlertButtons } from '../server/core/alert-buttons';
import { teamOfPipeline } from '../server/core/compiled-config';
import { chooseOnDuty, wallClock, whenNobodyOnDuty } from '../server/core/duty';
import type { WhenNobodyOnDuty } from '../config/primitives';
import { NotNowError } from '../server/core/quiet-hours';
import { itemLink } from '../server/core/items';
import { resolveRecipients, USER_KEYWORDS, type ResolvedRecipients } from '../server/core/recipients';
import type { MessageRow, NotificationKind } from '../server/core/rows';
import { renderMessage } from '../server/core/templates';
import type { RobotRunContext } from './contract';

export { USER_KEYWORDS };

/** Who a notification goes to: keywords resolved against the item, or a login. */
export const UserRecipient = z.union([z.enum(['responsible', 'manager', 'team']), z.string().regex(/^[A-Za-z0-9_.-]+$/)]);

export const MessageSource = {
  template: z.string().optional().describe('A template id from `templates:`'),
  text: z.string().optional().describe('Inline handlebars text, when no template is named'),
  subject: z.string().optional(),
};

/** Config references for every recipient that is a login rather than a keyword. */
export function userReferences(recipients: readonly string[], key: string) {
  return recipients.flatMap((value, index) => (USER_KEYWORDS.has(value) ? [] : [{ kind: 'user' as const, value, path: [key, index], keywords: [...USER_KEYWORDS] }]));
}

export function resolveUsers(context: RobotRunContext<unknown>, recipients: readonly string[]): ResolvedRecipients {
  return resolveRecipients(context.ports.config, context.item, recipients);
}

/**
 * As `resolveUsers`, with `team` narrowed to its members on duty now. When none is:
 * `when_nobody_on_duty` (the robot's, else the pipeline team's) — the whole team, the manager,
 * or a NotNowError that re-runs the robot when the first member comes on duty.
 */
export function resolveUsersOnDuty(context: RobotRunContext<unknown>, recipients: readonly string[], setting: WhenNobodyOnDuty | undefined): ResolvedRecipients {
  const { config } = context.ports;
  const wanted = recipients.flatMap((recipient): string[] => {
    if (recipient !== 'team') return [recipient];
    const members = resolveRecipients(config, context.item, ['team']).logins;
    const choice = chooseOnDuty(config, members, context.now, whenNobodyOnDuty(config, teamOfPipeline(config, context.item.pipeline), setting));
    if (choice.kind === 'wait') throw new NotNowError(`nobody of the team is on duty; waiting until ${wallClock(choice.until, config.source.timezone)}`, choice.until);
    if (choice.kind === 'manager') return ['manager'];
    // A team with no members stays the keyword, so it is reported as unresolved.
    return members.length === 0 ? ['team'] : choice.logins;
  });
  return resolveRecipients(config, context.item, wanted);
}

/** A user's address on a channel; without one the alert still lands in the outbox, never lost. */
function userAddress(user: UserSpec | undefined, channel: ChannelNameType): { channel: ChannelNameType; address: string } | null {
  if (!user) return null;
  const address = channel === 'telegram' ? user.telegram_chat_id : channel === 'email' ? user.email : channel === 'sms' || channel === 'voice' ? user.phone : user.login;
  return address ? { channel, address } : { channel: 'outbox', address: user.login };
}

export function clientAddress(context: RobotRunContext<unknown>, channel: ChannelNameType): string | null {
  const { item } = context;
  const contact = context.context.contact as { phone?: string | null; email?: string | null } | null;
  if (channel === 'email') return item.row.email ?? contact?.email ?? null;
  if (channel === 'sms' || channel === 'voice') return item.row.phone ?? contact?.phone ?? null;
  if (channel === 'telegram') {
    const chat = item.row.fields?.telegram_chat_id;
    return chat === undefined || chat === null || chat === '' ? null : String(chat);
  }
  return item.row.phone ?? item.row.email ?? `${item.kind}:${item.row.id}`;
}

/** The channel a message goes by: as written, else the template's, else the robot's default. */
export function channelFor(context: RobotRunContext<unknown>, source: { channel?: ChannelNameType; template?: string }, fallback: ChannelNameType): ChannelNameType {
  return source.channel ?? (source.template ? context.ports.config.templates.get(source.template)?.spec.channel : undefined) ?? fallback;
}

/** Renders once per recipient (the context names them) and sends each at most once. */
export async function notifyUsers(
  context: RobotRunContext<unknown>,
  logins: string[],
  channel: ChannelNameType,
  source: { template?: string; text?: string; subject?: string },
  meta: Record<string, unknown> = {},
  extraContext: Record<string, unknown> = {},
  notice: NotificationKind | null = 'alert',
): Promise<MessageRow[]> {
  const { ports, item, run } = context;
  const sent: MessageRow[] = [];
  for (const login of logins) {
    const user = ports.config.users.get(login);
    const target = userAddress(user, channel) ?? { channel: 'outbox' as const, address: login };
    const rendered = renderMessage(ports.config, source, { ...context.context, ...extraContext, recipient: { login, name: user?.name ?? login } });
    sent.push(
      await ports.send({
        idempotencyKey: `run:${run.id}:user:${login}`,
        runId: run.id,
        entity: { kind: item.kind, id: item.row.id },
        channel: target.channel,
        audience: 'user',
        recipient: target.address,
        recipientLogin: login,
        template: rendered.template,
        subject: rendered.subject,
        body: rendered.body,
        html: rendered.html,
        meta: { robot: run.robotId, ...meta },
        notice,
      }),
    );
  }
  return sent;
}

export function robotActor(context: RobotRunContext<unknown>): string {
  return `robot:${context.run.robotId}`;
}

/** Telegram alerts about an item carry the Take / Call now / Open buttons (the hot-lead playbook). */
export function alertButtonsMeta(context: RobotRunContext<unknown>, channel: ChannelNameType, wanted: boolean): Record<string, unknown> {
  if (!wanted || channel !== 'telegram') return {};
  const { item } = context;
  const links = context.context.links as { item?: string } | undefined;
  const openUrl = links?.item ?? itemLink(context.ports.publicUrl, { kind: item.kind, id: item.row.id });
  return { buttons: itemAlertButtons({ kind: item.kind, id: item.row.id }, openUrl) };
}
