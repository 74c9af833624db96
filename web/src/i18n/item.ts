import { defineWords } from './define';

/** The item page's words (web/src/pages/item/). */
export const item = defineWords({
  ru: {
    'item.title': 'Карточка',
  },
  en: {
    'item.title': 'Item',
  },
});
