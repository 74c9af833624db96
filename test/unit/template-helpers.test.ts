import Handlebars from 'handlebars';
import { loadConfigText } from '../../config/loader';
import type { Config } from '../../config/schema';
import { compileTemplate, templateData } from '../../server/core/template-helpers';

const configText = (locale: 'ru' | 'en') => `
timezone: Europe/Moscow
locale: ${locale}
users:
  - { login: irina, name: Ирина Соколова, role: first_line }
fields:
  appointment_at: { type: datetime }
  birthday: { type: date }
  budget: { type: money }
  budget_usd: { type: money, currency: USD }
  services:
    type: multi_select
    values: [cleaning, whitening, implant]
    labels: { cleaning: { ru: чистка, en: cleaning }, whitening: { ru: отбеливание, en: whitening } }
  tags_plain: { type: multi_select, values: [vip, kids] }
  doctor: { type: user }
leads:
  stages: [{ id: new }]
`;

function loaded(locale: 'ru' | 'en'): Config {
  const result = loadConfigText(configText(locale), 'robots.yaml', Date.parse('2026-03-02T09:00:00Z'));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config.source;
}

const RU = loaded('ru');
const EN = loaded('en');

/** Intl separates thousands and the currency sign with no-break spaces; the tests read them as spaces. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

function render(source: string, context: Record<string, unknown>, config: Config = RU): string {
  return spaced(compileTemplate(source)(context, { data: templateData(config) }));
}

const patient = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ item: { name: 'Анна Смирнова', phone: '8 916 123-45-67', fields }, now: { iso: '2026-03-02T10:00:00.000Z' }, ...extra });

describe('{{date}} and {{time}}: in the config’s time zone and language', () => {
  it.each([
    ['an appointment at 10:00 Moscow time', '2026-03-03T07:00:00.000Z', '3 марта в 10:00'],
    ['an appointment just after midnight in Moscow, still the 2nd in UTC', '2026-03-02T21:30:00.000Z', '3 марта в 00:30'],
    ['a month written in the genitive', '2026-05-09T09:00:00.000Z', '9 мая в 12:00'],
  ])('%s', (_case, appointment, expected) => {
    expect(render('{{date item.fields.appointment_at "d MMMM в HH:mm"}}', patient({ appointment_at: appointment }))).toBe(expected);
  });

  it('without a pattern, the language’s own long form; a date field without a time', () => {
    expect(render('{{date item.fields.appointment_at}}', patient({ appointment_at: '2026-03-03T07:00:00.000Z' }))).toBe('3 марта 2026 г. в 10:00');
    expect(render('{{date item.fields.birthday}}', patient({ birthday: '1990-03-03' }))).toBe('3 марта 1990 г.');
    expect(render('{{date item.fields.appointment_at}}', patient({ appointment_at: '2026-03-03T07:00:00.000Z' }), EN)).toBe('March 3, 2026 at 10:00 AM');
  });

  it('{{time}} is the hour and minute there', () => {
    expect(render('{{time item.fields.appointment_at}}', patient({ appointment_at: '2026-03-02T21:30:00.000Z' }))).toBe('00:30');
    expect(render('{{time item.fields.appointment_at}}', patient({ appointment_at: '2026-03-03T07:00:00.000Z' }), EN)).toBe('10:00 AM');
  });

  it('{{relative}} counts calendar days from now in Moscow: 00:30 on the 3rd is tomorrow though UTC says the 2nd', () => {
    expect(render('{{relative item.fields.appointment_at}}', patient({ appointment_at: '2026-03-02T21:30:00.000Z' }))).toBe('завтра');
    expect(render('{{relative item.fields.appointment_at}}', patient({ appointment_at: '2026-03-06T07:00:00.000Z' }))).toBe('через 4 дня');
  });

  it('an empty value is empty, and a value that is no date shows as written', () => {
    expect(render('[{{date item.fields.appointment_at "d MMMM"}}]', patient({}))).toBe('[]');
    expect(render('{{date item.fields.appointment_at}}', patient({ appointment_at: 'после обеда' }))).toBe('после обеда');
  });
});

describe('{{money}}: the amount in the field’s currency, written the language’s way', () => {
  it.each([
    ['150000 RUB in Russian', RU, 'budget', 150000, '150 000 ₽'],
    ['kopecks are shown when there are any', RU, 'budget', 150000.5, '150 000,50 ₽'],
    ['150000 RUB in English', EN, 'budget', 150000, 'RUB 150,000'],
    ['a field in dollars', RU, 'budget_usd', 2500, '2 500 $'],
  ])('%s', (_case, config, field, amount, expected) => {
    expect(render(`{{money item.fields.${field}}}`, patient({ [field]: amount }), config)).toBe(expected);
  });

  it('currency= names the currency of a value that is no money field', () => {
    expect(render('{{money item.amount currency="EUR"}}', { item: { amount: 1200 } })).toBe('1 200 €');
  });

  it('an empty amount is empty', () => {
    expect(render('[{{money item.fields.budget}}]', patient({ budget: null }))).toBe('[]');
  });
});

describe('{{phone}}', () => {
  it.each([
    ['8 916 123-45-67', '+7 916 123-45-67'],
    ['+7 (916) 1234567', '+7 916 123-45-67'],
    ['89161234567', '+7 916 123-45-67'],
    ['+44 20 7946 0958', '+44 20 7946 0958'],
    ['позвонить вечером', 'позвонить вечером'],
  ])('%s → %s', (typed, shown) => {
    expect(render('{{phone item.phone}}', { item: { phone: typed } })).toBe(shown);
  });

  it('alone inside {{#with}}, it still reads the phone of the context', () => {
    expect(render('{{#with contact}}{{phone}}{{/with}}', { contact: { phone: '8 916 123-45-67' } })).toBe('8 916 123-45-67');
  });
});

describe('{{list}} and {{user}}', () => {
  it('a multi_select shows the labels of the config’s language', () => {
    expect(render('{{list item.fields.services}}', patient({ services: ['cleaning', 'whitening'] }))).toBe('чистка, отбеливание');
    expect(render('{{list item.fields.services}}', patient({ services: ['cleaning', 'whitening'] }), EN)).toBe('cleaning, whitening');
  });

  it('a value without a label, or a field without labels, shows as stored', () => {
    expect(render('{{list item.fields.services separator=" и "}}', patient({ services: ['cleaning', 'implant'] }))).toBe('чистка и implant');
    expect(render('{{list item.fields.tags_plain}}', patient({ tags_plain: ['vip', 'kids'] }))).toBe('vip, kids');
  });

  it('a user field shows the user’s name; a login no longer in users: shows as stored', () => {
    expect(render('{{list item.fields.doctor}}', patient({ doctor: 'irina' }))).toBe('Ирина Соколова');
    expect(render('{{user item.fields.doctor}}', patient({ doctor: 'irina' }))).toBe('Ирина Соколова');
    expect(render('{{user item.responsible}}', { item: { responsible: 'olga' } })).toBe('olga');
  });
});

describe('{{plural}}', () => {
  it.each([
    [1, 'заявка'],
    [2, 'заявки'],
    [5, 'заявок'],
    [11, 'заявок'],
    [21, 'заявка'],
    [22, 'заявки'],
    [25, 'заявок'],
    [1.5, 'заявки'],
  ])('ru: %d %s', (count, word) => {
    expect(render('{{count}} {{plural count "заявка" "заявки" "заявок"}}', { count })).toBe(`${count} ${word}`);
  });

  it.each([
    [1, 'lead'],
    [2, 'leads'],
    [21, 'leads'],
  ])('en: %d %s', (count, word) => {
    expect(render('{{plural count "lead" "leads"}}', { count }, EN)).toBe(word);
  });
});

describe('{{default}}', () => {
  it.each([
    ['missing', {}, '—'],
    ['empty text', { budget: '' }, '—'],
    ['null', { budget: null }, '—'],
    ['an empty list', { budget: [] }, '—'],
    ['zero is a value', { budget: 0 }, '0'],
  ])('%s', (_case, fields, shown) => {
    expect(render('{{default item.fields.budget "—"}}', patient(fields))).toBe(shown);
  });

  it('wraps another helper', () => {
    expect(render('{{default (date item.fields.appointment_at "d MMMM") "дата уточняется"}}', patient({}))).toBe('дата уточняется');
  });
});

it('the helpers live on their own Handlebars, not the global one', () => {
  expect(Handlebars.helpers).not.toHaveProperty('date');
  expect(Handlebars.helpers).not.toHaveProperty('money');
});

it('a label for a value the field does not have is a config error, with the value meant', () => {
  const result = loadConfigText(configText('ru').replace('whitening: { ru: отбеливание', 'whitenning: { ru: отбеливание'), 'robots.yaml');
  expect(result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([expect.stringMatching(/^fields\.services\.labels\.whitenning: .*did you mean "whitening"/)]);
});
