import { defineWords } from './define';

/** The board and the list (web/src/pages/board/, web/src/pages/list/). */
export const board = defineWords({
  ru: {
    'board.title': 'Доска',
    'list.title': 'Список',
  },
  en: {
    'board.title': 'Board',
    'list.title': 'List',
  },
});
