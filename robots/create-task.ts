import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseDuration } from '../config/duration';
import { Duration } from '../config/primitives';
import { defineRobot } from './contract';
import type { ConfigReference } from '../config/schema';
import { taskAssignee } from '../server/core/recipients';
import { renderText } from '../server/core/templates';
import { notifyUsers, resolveUsers, UserRecipient, userReferences } from './notifications';

/** A task for a person with a due time; `remind` also tells them at once (the call touch of a cadence). */
function taskRobot(type: string, description: string, notifyByDefault: boolean) {
  return defineRobot({
    type,
    description,
    params: z.object({
      title: z.string().describe('handlebars'),
      due_in: Duration.optional().describe('Due this long after the robot runs'),
      assignee: UserRecipient.default('responsible'),
      notify: z.boolean().default(notifyByDefault),
    }),
    references: (params): ConfigReference[] => userReferences([params.assignee], 'assignee').map((reference) => ({ ...reference, path: ['assignee'] })),
    recipients: (params) => [params.assignee],
    async run(context) {
      const { params, ports, item, run, now } = context;
      const { logins } = resolveUsers(context, [params.assignee]);
      const assignee = taskAssignee(ports.config, item, logins);
      const title = renderText(ports.config.source, params.title, context.context);
      const dueAt = params.due_in ? now + (parseDuration(params.due_in)?.toMillis() ?? 0) : null;
      const task = await ports.createTask({ item: { kind: item.kind, id: item.row.id }, assignee, title, dueAt, runId: run.id });
      if (params.notify && assignee) {
        const due = dueAt ? `, due ${DateTime.fromMillis(dueAt, { zone: ports.config.source.timezone }).toFormat('dd.LL HH:mm')}` : '';
        // The title is already rendered: it goes in as data, so a client's name with braces in it is never a template.
        await notifyUsers(context, [assignee], 'telegram', { text: '📝 Task: {{task.title}}{{task.due}} — {{links.item}}' }, { task: task.id }, { task: { title, due } }, null);
      }
      return { outcome: 'done', detail: `task #${task.id} "${title}" for ${assignee ?? 'nobody'}`, reason: { code: 'done.task_created', params: { task_id: task.id, title, assignee } } };
    },
  });
}

export const createTask = taskRobot('create_task', 'Create a task for the responsible (or a login) with a due time', false);
export const remind = taskRobot('remind', 'Create a task and remind the assignee in Telegram at once', true);
