import { defineWords } from './define';

/** The analytics page's words (web/src/pages/analytics/). */
export const analytics = defineWords({
  ru: {
    'analytics.title': 'Аналитика',
  },
  en: {
    'analytics.title': 'Analytics',
  },
});
