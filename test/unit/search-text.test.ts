import { csvCell, csvLine } from '../../server/core/csv';
import { itemSearchText, phoneVariants, searchTerms } from '../../server/core/search-text';

const row = { title: null, name: null, phone: null, email: null, companyName: null, fields: {} };

describe('what search compares', () => {
  it.each([
    ['Иван СМИРНОВ', ['иван', 'смирнов']],
    ['Алёна Фёдорова', ['алена', 'федорова']],
    ['ООО «Ромашка»', ['ооо', 'ромашка']],
    ['"Ромашка", ООО', ['ромашка', 'ооо']],
    ['Ivan.Smirnov@Mail.RU', ['ivan.smirnov@mail.ru']],
    ['Смирнов-Кольцов', ['смирнов-кольцов']],
    ['8 (916) 123-45-67', ['89161234567']],
    ['+7 916 123 45 67', ['79161234567']],
    ['Смирнов 4567', ['смирнов', '4567']],
    ['Смир\u00adнов', ['смирнов']],
    ['ｓｍｉｒｎｏｖ', ['smirnov']],
    ['«»', []],
    ['смир\u0000нов "x" NEAR(a b)', ['смир', 'нов', 'x', 'near', 'a', 'b']],
  ])('the query "%s" is the terms %j', (query, terms) => {
    expect(searchTerms(query)).toEqual(terms);
  });

  it.each([
    ['+79161234567', ['79161234567', '89161234567', '9161234567']],
    ['+74951234000', ['74951234000', '84951234000', '4951234000']],
    ['+442079460000', ['442079460000', '02079460000', '2079460000']],
    ['not a phone 12', ['12']],
  ])('a stored phone %s is written as every form a person types: %j', (phone, variants) => {
    expect(phoneVariants(phone)).toEqual(variants);
  });

  it('an item is written with its words folded once and its phone in every form', () => {
    const text = itemSearchText({
      ...row,
      name: 'Иван Смирнов',
      companyName: 'ООО «Ромашка»',
      email: 'Ivan@Mail.ru',
      phone: '+79161234567',
      fields: { city: 'Москва', budget: 150000, note: 'x'.repeat(201), flag: true },
    });
    expect(text).toBe('иван смирнов ivan@mail.ru ооо ромашка москва 150000 79161234567 89161234567 9161234567');
    for (const typed of ['Смирнов', 'ромашка', '8 916 123-45-67', '916 123 45 67', '4567', 'МОСКВА']) for (const term of searchTerms(typed)) expect(text).toContain(term);
  });
});

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['Смирнов, Иван', '"Смирнов, Иван"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['+79161234567', '+79161234567'],
    ['-1500.5', '-1500.5'],
    ['-2+3', "'-2+3"],
  ])('%j is written %j', (value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  it('a line ends in CRLF and empty cells stay empty', () => {
    expect(csvLine([1, null, 'a', undefined, 2.5])).toBe('1,,a,,2.5\r\n');
  });
});
