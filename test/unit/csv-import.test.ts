import iconv from 'iconv-lite';
import { decodeCsv, detectDelimiter, readCsv } from '../../server/import/csv-file';
import { mapHeaders, mapRow, MappingError, parseMapOption } from '../../server/import/header-map';
import { configFromYaml } from '../support/configs';

const CONFIG = configFromYaml(`
fields:
  city: { type: string, label: Город }
  vip: { type: boolean, label: { ru: VIP-клиент, en: VIP } }
leads:
  stages: [{ id: new }]
`);

describe('reading a CSV export', () => {
  const text = 'ФИО;Телефон\r\nЁлкина Алёна;8 916 123-45-67\r\n';

  it.each([
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'utf-8'],
    ['UTF-8 without a BOM', Buffer.from(text, 'utf8'), 'utf-8'],
    ['Windows-1251', iconv.encode(text, 'win1251'), 'windows-1251'],
  ])('%s reads as the same Cyrillic text', (_name, bytes, encoding) => {
    expect(decodeCsv(bytes)).toEqual({ text, encoding });
  });

  it.each([
    ['ФИО;Телефон;Компания', ';'],
    ['Name,Phone,Company', ','],
    ['"Иванов, Иван";Телефон', ';'],
    ['Name\tPhone', '\t'],
    ['ФИО', ','],
  ])('the header %j is separated by %j', (header, delimiter) => {
    expect(detectDelimiter(`${header}\r\nx`)).toBe(delimiter);
  });

  it('numbers rows as a spreadsheet does, leaving blank ones out, and keeps quoted separators and line breaks inside a cell', () => {
    const file = readCsv(Buffer.from('ФИО;Комментарий\r\n"Петров; Пётр";"две\nстроки"\r\n;\r\nАнна;\r\n', 'utf8'));
    expect(file.headers).toEqual(['ФИО', 'Комментарий']);
    expect(file.rows).toEqual([
      { number: 2, cells: ['Петров; Пётр', 'две\nстроки'] },
      { number: 4, cells: ['Анна', ''] },
    ]);
  });
});

describe('matching columns to lead fields', () => {
  it.each([
    [['ФИО', 'Телефон', 'E-mail', 'Компания', 'Источник'], { name: [0], phone: [1], email: [2], company_name: [3], source: [4] }],
    [['Полное имя контакта', 'Рабочий телефон (контакт)', 'Рабочий email (контакт)', 'Компания контакта', 'Название сделки'], { name: [0], phone: [1], email: [2], company_name: [3], title: [4] }],
    [['Name', 'Phone', 'Email', 'Company', 'Source'], { name: [0], phone: [1], email: [2], company_name: [3], source: [4] }],
    [['Фамилия', 'Имя', 'Отчество', 'Рабочий телефон', 'Мобильный телефон', 'Город', 'VIP'], { last_name: [0], first_name: [1], middle_name: [2], phone: [3, 4], city: [5], vip: [6] }],
  ])('%j', (headers, expected) => {
    expect(Object.fromEntries(mapHeaders(headers, {}, CONFIG).columns)).toEqual(expected);
  });

  it('never guesses the responsible: an export names people, not logins', () => {
    expect(mapHeaders(['ФИО', 'Ответственный'], {}, CONFIG).ignored).toEqual(['Ответственный']);
  });

  it('an explicit map wins over the titles, and names an unknown field or column', () => {
    const map = mapHeaders(['ФИО', 'Контактное лицо', 'Тел.'], parseMapOption('name=Контактное лицо,phone=Тел.'), CONFIG);
    expect(Object.fromEntries(map.columns)).toEqual({ name: [1], phone: [2] });
    expect(map.ignored).toEqual(['ФИО']);
    expect(() => mapHeaders(['ФИО'], { nmae: 'ФИО' }, CONFIG)).toThrow(MappingError);
    expect(() => mapHeaders(['ФИО'], { phone: 'Телефон' }, CONFIG)).toThrow('no column "Телефон"');
    expect(() => parseMapOption('phone')).toThrow('not field=column');
  });

  it('a row becomes a lead: the name from its parts in Russian order, the first phone filled, typed custom fields', () => {
    const headers = ['Фамилия', 'Имя', 'Отчество', 'Рабочий телефон', 'Мобильный телефон', 'Город', 'VIP'];
    const map = mapHeaders(headers, {}, CONFIG);
    const { input, sources } = mapRow(['Иванова', 'Мария', 'Петровна', '', '+7 (916) 000-11-22', 'Тверь', 'да'], map, headers, CONFIG);
    expect(input).toEqual({ name: 'Иванова Мария Петровна', phone: '+7 (916) 000-11-22', fields: { city: 'Тверь', vip: true } });
    expect(sources.get('phone')).toBe('Мобильный телефон');
  });
});
