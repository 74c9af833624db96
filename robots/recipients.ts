import { managerOf, teamMembers, teamOfPipeline } from '../config/model';
import type { ChannelNameType, UserSpec } from '../config/schema';
import type { MessageRow } from '../server/db/entities';
import type { RobotRunContext } from '../server/engine/robot-context';
import { renderMessage } from '../server/engine/templates';
import { itemAlertButtons } from '../server/channels/alert-buttons';
import { itemLink } from '../server/engine/items';
import { z } from 'zod';

/** Who a notification goes to: keywords resolved against the item, or a login. */
export const UserRecipient = z.union([z.enum(['responsible', 'manager', 'team']), z.string().regex(/^[A-Za-z0-9_.-]+$/)]);
export const USER_KEYWORDS = new Set(['responsible', 'manager', 'team']);

export const MessageSource = {
  template: z.string().optional().describe('A template id from `templates:`'),
  text: z.string().optional().describe('Inline handlebars text, when no template is named'),
  subject: z.string().optional(),
};

export function resolveUsers(context: RobotRunContext<unknown>, recipients: string[]): { logins: string[]; unresolved: string[] } {
  const { engine, item } = context;
  const config = engine.config;
  const logins: string[] = [];
  const unresolved: string[] = [];
  for (const recipient of recipients) {
    if (recipient === 'responsible') {
      if (item.row.responsible) logins.push(item.row.responsible);
      else unresolved.push('responsible (none assigned)');
    } else if (recipient === 'manager') {
      const team = teamOfPipeline(config, item.pipeline);
      const manager = (item.row.responsible && managerOf(config, item.row.responsible)) || (team ? config.teams.get(team)?.manager : undefined);
      if (manager) logins.push(manager);
      else unresolved.push('manager (none configured)');
    } else if (recipient === 'team') {
      const team = teamOfPipeline(config, item.pipeline) ?? (item.row.responsible ? config.users.get(item.row.responsible)?.team : undefined);
      const members = team ? teamMembers(config, team) : [];
      if (members.length) logins.push(...members);
      else unresolved.push('team (no team for this pipeline)');
    } else {
      logins.push(recipient);
    }
  }
  return { logins: [...new Set(logins)], unresolved };
}

/** A user's address on a channel; without one the alert still lands in the outbox, never lost. */
export function userAddress(user: UserSpec | undefined, channel: ChannelNameType): { channel: ChannelNameType; address: string } | null {
  if (!user) return null;
  const address =
    channel === 'telegram' ? user.telegram_chat_id : channel === 'email' ? user.email : channel === 'sms' || channel === 'voice' ? user.phone : user.login;
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

/** Renders once per recipient (the context names them) and sends each at most once. */
export async function notifyUsers(
  context: RobotRunContext<unknown>,
  logins: string[],
  channel: ChannelNameType,
  source: { template?: string; text?: string; subject?: string },
  meta: Record<string, unknown> = {},
): Promise<MessageRow[]> {
  const { engine, item, run } = context;
  const sent: MessageRow[] = [];
  for (const login of logins) {
    const user = engine.config.users.get(login);
    const target = userAddress(user, channel) ?? { channel: 'outbox' as const, address: login };
    const rendered = renderMessage(engine.config, source, { ...context.context, recipient: { login, name: user?.name ?? login } });
    sent.push(
      await engine.send({
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
      }),
    );
  }
  return sent;
}

export function robotActor(context: RobotRunContext<unknown>): string {
  return `robot:${context.run.robotId}`;
}

/** Telegram alerts about an item carry the Take / Call now / Open buttons (seed 003). */
export function alertButtonsMeta(context: RobotRunContext<unknown>, channel: ChannelNameType, wanted: boolean): Record<string, unknown> {
  if (!wanted || channel !== 'telegram') return {};
  const { item } = context;
  const links = context.context.links as { item?: string } | undefined;
  const openUrl = links?.item ?? itemLink(context.engine.publicUrl, { kind: item.kind, id: item.row.id });
  return { buttons: itemAlertButtons({ kind: item.kind, id: item.row.id }, openUrl) };
}
