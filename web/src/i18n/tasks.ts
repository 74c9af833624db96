import { defineWords } from './define';

/** The tasks page's words (web/src/pages/tasks/). */
export const tasks = defineWords({
  ru: {
    'tasks.title': 'Задачи',
  },
  en: {
    'tasks.title': 'Tasks',
  },
});
