import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkConfigFile } from '../../config/loader';
import { validateConfig } from '../../config/validate';
import { issueMessage } from '../../config/messages';
import { render } from '../../config/messages';

/** Latin words outside the names quoted from the file: what a Russian reader should not meet. */
const latinOutsideQuotes = (text: string) => text.replace(/«[^»]*»/g, '').match(/[A-Za-z][A-Za-z'-]+/g) ?? [];

const LEADS = ['leads:', '  stages:', '    - { id: new, name: Новый }', '    - id: hot', '      name: Горячий'];

describe('config issues in Russian', () => {
  it.each([
    ['an unknown key', ['timezon: Europe/Moscow', ...LEADS], 'неизвестный ключ «timezon»'],
    ['an unknown stage with a did-you-mean', [...LEADS, '      robots: [{ id: r1, type: change_status, to: hto }]'], 'нет этапа «hto» (может быть, «hot»?)'],
    ['a robot type with a did-you-mean', [...LEADS, '      robots: [{ id: r1, type: notfy }]'], 'нет типа робота «notfy» (может быть, «notify»?)'],
    ['a bad duration', [...LEADS, '      robots: [{ id: r1, type: change_status, to: new, after: 5x }]'], 'неверная длительность «5x»: пишите «30s», «10m», «2h», «3d», «1w» или сочетайте их («1d12h»)'],
    ['a missing key', [...LEADS, '      robots: [{ id: r1, type: change_status }]'], 'не хватает обязательного ключа «to»'],
    ['a wrong type', [...LEADS, '      required: 5'], 'ожидается список, а здесь число'],
    ['an unknown time zone', ['timezone: Mars/Base', ...LEADS], 'неизвестный часовой пояс «Mars/Base»'],
    ['a duplicate stage', [...LEADS, '    - { id: hot, name: Снова }'], 'этап «hot» повторяется'],
    ['a template variable with a did-you-mean', [...LEADS, 'templates:', '  hi: { text: "Здравствуйте, {{lead.nmae}}" }'], 'нет переменной «lead.nmae» (может быть, «lead.name»?); столбец 17 в «text»'],
    ['an unknown json-logic operator', [...LEADS, '      robots: [{ id: r1, type: change_status, to: new, condition: { "~=": [1, 2] } }]'], 'неизвестный оператор условия «~=»'],
    [
      'a condition reading a misspelt field',
      [...LEADS, '      robots: [{ id: r1, type: change_status, to: new, condition: { "!": [{ var: item.resposible }] } }]'],
      'нет переменной «item.resposible» (может быть, «item.responsible»?)',
    ],
    ['a formatting helper misspelt', [...LEADS, 'templates:', '  hi: { text: "Ждём вас {{dat item.created_at}}" }'], 'нет помощника «dat» (может быть, «date»?); столбец 12 в «text»'],
    ['a date pattern that is not text', [...LEADS, 'templates:', '  hi: { text: "Ждём вас {{date item.created_at 5}}" }'], null],
    ['a money option misspelt', [...LEADS, 'templates:', '  hi: { text: "Сумма {{money item.score curency=\\"EUR\\"}}" }'], null],
    ['a YAML key written twice', [...LEADS, 'timezone: Europe/Moscow', 'timezone: Europe/Moscow'], 'ключи в словаре не повторяются, а «timezone» повторяется'],
    ['bad YAML', [...LEADS, '  bad: [unclosed'], null],
  ])('%s', (_what, lines, expected) => {
    const [issue] = validateConfig(lines.join('\n')).errors;
    expect(issue).toBeDefined();
    const russian = issueMessage(issue!, 'ru');
    if (expected !== null) expect(russian).toBe(expected);
    expect(latinOutsideQuotes(russian).filter((word) => word !== 'YAML')).toEqual([]);
    // English stays what `robots validate` printed before the codes.
    expect(issueMessage(issue!, 'en')).toBe(issue!.message);
  });

  it('English is the default, as robots validate prints it', () => {
    const [issue] = validateConfig([...LEADS, '      robots: [{ id: r1, type: change_status, to: hto }]'].join('\n')).errors;
    expect(issue).toMatchObject({ code: 'unknown_name', params: { kind: 'stage', value: 'hto', suggestion: 'hot' }, message: 'unknown stage "hto" (did you mean "hot"?)' });
    expect(issueMessage(issue!)).toBe(issue!.message);
    expect(render({ code: 'unknown_name', params: { kind: 'stage', value: 'hto', known: ['new', 'hot'] } }, 'ru')).toBe('нет этапа «hto» (известны: «new», «hot»)');
  });
});

describe('a config file that cannot be read as text, in Russian', () => {
  const written = (name: string, bytes: Buffer) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-bytes-')), name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  it.each([
    ['saved as UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('leads:\n  stages: []\n', 'utf16le')]), 'файл сохранён в кодировке «UTF-16»; сохраните его в «UTF-8»'],
    [
      'saved as Windows-1251',
      Buffer.from([0x6c, 0x65, 0x61, 0x64, 0x73, 0x3a, 0x0a, 0x23, 0x20, 0xcf, 0xf0, 0xe8]),
      'не «UTF-8»: байт «0xCF» здесь не символ «UTF-8»; сохраните файл в «UTF-8» (не «Windows-1251» и не «ANSI»)',
    ],
  ])('%s', (_what, bytes, expected) => {
    const result = checkConfigFile(written('robots.yaml', bytes));
    if (result.ok) throw new Error('expected the file to be refused');
    const [issue] = result.issues;
    expect(issueMessage(issue!, 'ru')).toBe(expected);
    expect(latinOutsideQuotes(issueMessage(issue!, 'ru'))).toEqual([]);
    expect(issueMessage(issue!, 'en')).toBe(issue!.message);
  });
});
