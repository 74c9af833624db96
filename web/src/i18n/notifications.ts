import { defineWords } from './define';

/** The bell's words (web/src/components/notifications.tsx); its title and counts are in common.ts. */
export const notifications = defineWords({
  ru: {
    'notify.open': 'Открыть уведомления',
    'notify.readAll': 'Прочитать все',
    'notify.markRead': 'Отметить прочитанным: {text}',
    'notify.unreadOnly': 'Только новые',
    'notify.loading': 'Загружаем уведомления…',
    'notify.arrived': 'Новое уведомление: {text}',
    'notify.kind.alert': 'Оповещение',
    'notify.kind.task': 'Задача',
    'notify.kind.escalation': 'Эскалация',
    'notify.kind.repeat_client': 'Повторный клиент',
    'notify.kind.other': 'Уведомление',
  },
  en: {
    'notify.open': 'Open notifications',
    'notify.readAll': 'Mark all read',
    'notify.markRead': 'Mark read: {text}',
    'notify.unreadOnly': 'Unread only',
    'notify.loading': 'Loading notifications…',
    'notify.arrived': 'New notification: {text}',
    'notify.kind.alert': 'Alert',
    'notify.kind.task': 'Task',
    'notify.kind.escalation': 'Escalation',
    'notify.kind.repeat_client': 'Repeat client',
    'notify.kind.other': 'Notification',
  },
});
