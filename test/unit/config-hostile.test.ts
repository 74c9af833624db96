import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile, loadConfigFileOffThread, loadConfigText, type LoadResult } from '../../config/loader';
import { formatConfigIssue, type ConfigIssue } from '../../server/core/errors';
import { first } from '../support/lists';

/**
 * robots.yaml as an attack surface: whoever can edit it (or the ConfigMap it is mounted from)
 * must not be able to hang, crash or stall the server with it. Each hostile file is a positioned
 * issue (`file:line:col path: message`), or loads, in seconds at most. Timings are printed for the
 * record, never asserted: CI machines differ too much.
 */

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const LEADS = ['leads:', '  stages:', '    - id: new'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-hostile-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function timed<T>(label: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  process.stderr.write(`    ${label}: ${Math.round(performance.now() - started)} ms\n`);
  return result;
}

function issuesOf(result: LoadResult): ConfigIssue[] {
  if (result.ok) throw new Error('expected the config to be refused');
  return result.issues;
}

function fileWith(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** The classic: nine anchors, each a list of nine aliases of the one before (9^9 values). */
function billionLaughs(): string {
  const names = 'abcdefghi';
  const lines = [`${names[0]}: &${names[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let level = 1; level < names.length; level += 1) {
    lines.push(
      `${names[level]}: &${names[level]} [${Array(9)
        .fill(`*${names[level - 1]}`)
        .join(', ')}]`,
    );
  }
  return yaml(...lines, ...LEADS);
}

describe('a config built to exhaust the server', () => {
  it('an alias bomb (billion laughs) is refused at the alias that overflows, at once', () => {
    const issues = issuesOf(timed('alias bomb', () => loadConfigText(billionLaughs(), 'robots.yaml')));
    expect(issues).toHaveLength(1);
    // Levels b to e copy in 74,718 values; the first alias of e (66,430 values) on line 6 passes 100,000.
    expect(formatConfigIssue(first(issues))).toBe('robots.yaml:6:8 (yaml): aliases expand to more than 100000 values (an alias bomb?); write the values out or use fewer aliases');
  });

  it('an alias bomb read from disk by `robots validate` is a positioned issue too', () => {
    const issues = issuesOf(loadConfigFile(fileWith('bomb.yaml', billionLaughs())));
    expect(issues[0]).toMatchObject({ line: 6, path: '(yaml)', message: expect.stringMatching(/alias/) });
  });

  it('an alias inside its own anchor (an endless condition) is refused where it loops', () => {
    const text = yaml(
      'users: [{ login: root, name: Root, role: admin }]',
      'leads:',
      '  stages:',
      '    - id: new',
      '      robots:',
      '        - { id: hi, type: notify, to: [root], text: hi, condition: &loop { and: [true, *loop] } }',
    );
    const issues = issuesOf(loadConfigText(text, 'robots.yaml'));
    expect(issues).toEqual([
      { file: 'robots.yaml', line: 6, col: 88, path: '(yaml)', message: 'alias "*loop" is inside its own anchor "&loop": the value would repeat forever', code: 'alias_in_own_anchor', params: { name: 'loop' } },
    ]);
  });

  it('an alias of a name never anchored is pointed at, not a crash', () => {
    const issues = issuesOf(loadConfigText(yaml(...LEADS, 'timezone: *zone'), 'robots.yaml'));
    expect(issues).toEqual([{ file: 'robots.yaml', line: 4, col: 11, path: '(yaml)', message: 'unknown alias "*zone": no anchor "&zone" before it', code: 'unknown_alias', params: { name: 'zone' } }]);
  });

  it('more anchors and aliases than any config needs are refused at the first one too many', () => {
    // The yaml library resolves each alias by a scan of every anchor and alias before it: 20,000 take 3 s.
    const lines = ['x: &x 1', 'y:', ...Array.from({ length: 20_000 }, () => '  - *x')];
    const issues = issuesOf(timed('20,000 aliases', () => loadConfigText(yaml(...lines, ...LEADS), 'robots.yaml')));
    expect(issues).toEqual([expect.objectContaining({ line: 5002, col: 5, message: 'more than 5000 anchors (&name) and aliases (*name) in one file; write the values out' })]);
    const anchors = ['y:', ...Array.from({ length: 20 }, (_, index) => `  - &a${index} ${index}`), 'z: *a3'];
    expect(issuesOf(loadConfigText(yaml(...anchors, ...LEADS), 'robots.yaml', Date.now(), { maxAnchorsAndAliases: 10 }))[0]).toMatchObject({ line: 12, col: 10 }); // at the anchored value
  });

  it('a condition shared through an anchor still loads', () => {
    const text = yaml(
      'users: [{ login: root, name: Root, role: admin }]',
      'fields: { budget: { type: number } }',
      'leads:',
      '  stages:',
      '    - id: new',
      '      robots:',
      '        - { id: big, type: notify, to: [root], text: big, condition: &big { ">=": [{ var: fields.budget }, 100] } }',
      '        - { id: big_again, type: notify, to: [root], text: again, condition: *big }',
    );
    const result = loadConfigText(text, 'robots.yaml');
    if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
    expect(result.config.robots.get('big_again')?.robot.condition).toEqual({ '>=': [{ var: 'fields.budget' }, 100] });
  });
});

describe('a key written twice', () => {
  it('40,000 repeats of one form field are each reported at their own line, in seconds', () => {
    const text = yaml(...LEADS, 'forms:', '  site:', '    fields:', ...Array.from({ length: 40_000 }, () => '      name: name'));
    const issues = issuesOf(timed('40,000 repeated keys', () => loadConfigText(text, 'robots.yaml')));
    expect(issues).toHaveLength(39_999);
    expect(issues[0]).toEqual({ file: 'robots.yaml', line: 8, col: 7, path: '(yaml)', message: 'Map keys must be unique; "name" is repeated', code: 'duplicate_yaml_key', params: { key: 'name' } });
    expect(issues[issues.length - 1]).toMatchObject({ line: 40_006, col: 7 });
  });

  it('`1:` and `"1":` are one key once loaded, so the second is reported', () => {
    const issues = issuesOf(loadConfigText(yaml(...LEADS, 'forms:', '  site:', '    fields:', '      1: name', '      "1": phone'), 'robots.yaml'));
    expect(issues).toEqual([{ file: 'robots.yaml', line: 8, col: 7, path: '(yaml)', message: 'Map keys must be unique; "1" is repeated', code: 'duplicate_yaml_key', params: { key: '1' } }]);
  });
});

describe('a very big config', () => {
  it('40,000 custom fields in 0.5 MB load in seconds (the duplicate-key check is linear)', () => {
    const text = yaml(...LEADS, 'fields:', ...Array.from({ length: 40_000 }, (_, index) => `  f${String(index).padStart(5, '0')}: {}`));
    expect(Buffer.byteLength(text)).toBeGreaterThan(500_000);
    const result = timed('40,000 distinct keys, 0.5 MB', () => loadConfigText(text, 'robots.yaml'));
    if (!result.ok) throw new Error(result.issues.slice(0, 3).map(formatConfigIssue).join('\n'));
    expect(Object.keys(result.config.source.fields)).toHaveLength(40_000);
  });

  it('40,000 unknown top-level keys are each reported at their line, in seconds', () => {
    const text = yaml(...LEADS, ...Array.from({ length: 40_000 }, (_, index) => `k${index}: 1`));
    const issues = issuesOf(timed('40,000 unknown keys', () => loadConfigText(text, 'robots.yaml')));
    expect(issues).toHaveLength(40_000);
    expect(issues[39_999]).toEqual({ file: 'robots.yaml', line: 40_003, col: 1, path: 'k39999', message: 'unknown key "k39999"', code: 'unknown_key', params: { key: 'k39999' } });
  });

  it('a 6 MB config of generated custom fields validates in seconds', () => {
    const fields: string[] = [];
    for (let index = 0, size = 0; size < 6 * 1024 * 1024; index += 1) {
      const line = `  field_${String(index).padStart(6, '0')}: { type: string, label: "Custom field ${index}, filled in by hand by the sales team" }`;
      fields.push(line);
      size += line.length + 1;
    }
    const file = fileWith('six-megabytes.yaml', yaml('users: [{ login: root, name: Root, role: admin }]', 'fields:', ...fields, ...LEADS));
    expect(fs.statSync(file).size).toBeGreaterThan(6 * 1024 * 1024);
    const result = timed(`6 MB, ${fields.length} fields`, () => loadConfigFile(file));
    if (!result.ok) throw new Error(result.issues.slice(0, 3).map(formatConfigIssue).join('\n'));
    expect(Object.keys(result.config.source.fields)).toHaveLength(fields.length);
  }, 120_000);

  it('8 MB of tiny values (`[1,1,1,…]`: 4 million of them) is refused where it gets too dense, in seconds', () => {
    const values = Math.floor((8 * 1024 * 1024 - 100) / 2);
    const text = yaml(...LEADS, `x: [${'1,'.repeat(values - 1)}1]`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8 * 1024 * 1024);
    const issues = issuesOf(timed('8 MB of tiny values', () => loadConfigText(text, 'robots.yaml')));
    // Each `1,` is three tokens to the yaml lexer (a scalar mark, `1`, `,`): the limit falls about
    // two million characters into line 4.
    expect(issues).toEqual([
      expect.objectContaining({ file: 'robots.yaml', line: 4, col: expect.any(Number), path: '(yaml)', message: 'more than 3000000 YAML tokens (keys, values, punctuation) by here; a config this dense is refused' }),
    ]);
    expect(Math.abs(first(issues).col - 2_000_000)).toBeLessThan(100);
  }, 120_000);

  it('a file over the size limit is refused before it is read further', () => {
    const file = fileWith('too-big.yaml', yaml(...LEADS, `# ${'x'.repeat(4000)}`));
    expect(issuesOf(loadConfigFile(file, Date.now(), { maxBytes: 1024 }))).toEqual([
      { file: path.relative(process.cwd(), file), line: 1, col: 1, path: '(file)', message: 'the file is over 1 KB, the most a config may be', code: 'file_too_big', params: { size: '1 KB' } },
    ]);
    expect(loadConfigFile(file, Date.now(), { maxBytes: 8 * 1024 }).ok).toBe(true);
  });

  it('the default size limit (8 MB) refuses a 9 MB file', () => {
    const file = fileWith('nine-megabytes.yaml', yaml(...LEADS, `# ${'x'.repeat(9 * 1024 * 1024)}`));
    expect(issuesOf(loadConfigFile(file))).toEqual([expect.objectContaining({ line: 1, col: 1, path: '(file)', message: 'the file is over 8.0 MB, the most a config may be' })]);
    expect(first(issuesOf(loadConfigText(fs.readFileSync(file, 'utf8'), file))).message).toBe('the file is over 8.0 MB, the most a config may be');
  });
});

describe('bytes that are no text', () => {
  it('a line saved as Windows-1251 is reported at its line and column, not read as garbage', () => {
    const head = Buffer.from(yaml('timezone: Europe/Moscow', 'users:', '  - login: anna', '    name: '), 'utf8').subarray(0, -1);
    const anna = Buffer.from([0xc0, 0xed, 0xed, 0xe0]); // "Анна" in Windows-1251
    const file = fileWith('cp1251.yaml', Buffer.concat([head, anna, Buffer.from(yaml('', '    role: sales', ...LEADS).slice(1))]));
    expect(issuesOf(loadConfigFile(file))).toEqual([
      {
        file: path.relative(process.cwd(), file),
        line: 4,
        col: 11,
        path: '(file)',
        message: 'not UTF-8: byte 0xC0 here is no UTF-8 character; save the file as UTF-8 (not Windows-1251 or ANSI)',
        code: 'file_not_utf8',
        params: { byte: '0xC0' },
      },
    ]);
  });

  it('columns before the bad byte count characters, not bytes', () => {
    const file = fileWith('late-bad-byte.yaml', Buffer.concat([Buffer.from(yaml(...LEADS, 'public_url: "https://пример.рф/'), 'utf8').subarray(0, -1), Buffer.from([0xff, 0x22, 0x0a])]));
    expect(issuesOf(loadConfigFile(file))[0]).toMatchObject({ line: 4, col: 32, message: expect.stringContaining('byte 0xFF') });
  });

  it('an overlong or truncated UTF-8 sequence is refused too', () => {
    const overlong = fileWith('overlong.yaml', Buffer.concat([Buffer.from('leads:\n  stages:\n    - id: n'), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]));
    expect(issuesOf(loadConfigFile(overlong))[0]).toMatchObject({ line: 3, col: 12, message: expect.stringContaining('byte 0xC0') });
    const truncated = fileWith('truncated.yaml', Buffer.concat([Buffer.from(yaml(...LEADS, 'timezone: "')), Buffer.from([0xe2, 0x82])]));
    expect(issuesOf(loadConfigFile(truncated))[0]).toMatchObject({ line: 5, col: 1, message: expect.stringContaining('byte 0xE2') });
  });

  it('a file saved as UTF-16 (Notepad\'s "Unicode") says so', () => {
    const file = fileWith('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml(...LEADS), 'utf16le')]));
    expect(issuesOf(loadConfigFile(file))).toEqual([expect.objectContaining({ line: 1, col: 1, path: '(file)', message: 'the file is saved as UTF-16; save it as UTF-8' })]);
  });

  it('Cyrillic UTF-8 with a byte-order mark still loads', () => {
    const file = fileWith('bom.yaml', `\uFEFF${yaml('users: [{ login: anna, name: Анна, role: sales }]', ...LEADS)}`);
    const result = loadConfigFile(file);
    if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
    expect(result.config.users.get('anna')?.name).toBe('Анна');
  });

  it('a NUL byte is reported where it is (editors show nothing there)', () => {
    const issues = issuesOf(loadConfigText(yaml(...LEADS, 'timezone: "Europe/\0Moscow"'), 'robots.yaml'));
    expect(issues).toEqual([expect.objectContaining({ file: 'robots.yaml', line: 4, col: 19, path: '(yaml)', message: 'a NUL byte (U+0000) is not allowed in YAML; delete it (most editors show nothing there)' })]);
  });

  it('another invisible control character (an escape pasted from a terminal) is reported too', () => {
    const issues = issuesOf(loadConfigText(yaml('lead\x1bs:', '  stages:', '    - id: new'), 'robots.yaml'));
    expect(issues).toEqual([expect.objectContaining({ line: 1, col: 5, message: 'the invisible control character U+001B is not allowed in YAML; delete it' })]);
  });

  it('a template file saved as Windows-1251 is reported at its `file:` key', () => {
    fileWith('hello.hbs', Buffer.from([0x48, 0x69, 0x0a, 0xcf, 0xf0, 0xe8]));
    const config = fileWith('with-template.yaml', yaml('templates:', '  hello:', '    file: hello.hbs', ...LEADS));
    expect(issuesOf(loadConfigFile(config))).toEqual([
      expect.objectContaining({
        line: 3,
        col: 11,
        path: 'templates.hello.file',
        message: 'template file hello.hbs:2:1: not UTF-8: byte 0xCF here is no UTF-8 character; save the file as UTF-8 (not Windows-1251 or ANSI)',
      }),
    ]);
  });
});

describe('deep nesting', () => {
  it('150 lists inside one another are refused at the one too deep', () => {
    const issues = issuesOf(timed('150 levels', () => loadConfigText(yaml(...LEADS, `x: ${'['.repeat(150)}${']'.repeat(150)}`), 'robots.yaml')));
    // Level 1 is the top mapping, so the 100th `[` (column 103) is level 101.
    expect(issues).toEqual([{ file: 'robots.yaml', line: 4, col: 103, path: '(yaml)', message: 'nested more than 100 levels deep', code: 'nested_too_deep', params: { max: 100 } }]);
  });

  it('100,000 lists inside one another are one positioned issue, not a stack overflow', () => {
    const issues = issuesOf(timed('100,000 levels', () => loadConfigText(yaml(...LEADS, `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}`), 'robots.yaml')));
    expect(issues).toEqual([expect.objectContaining({ line: 4, path: '(yaml)', message: 'nested too deeply to read (a config nests at most 100 levels)' })]);
  });

  it('3,000 indented mappings are one positioned issue too', () => {
    const lines = Array.from({ length: 3000 }, (_, depth) => `${' '.repeat(depth)}k:`);
    const issues = issuesOf(loadConfigText(yaml(...LEADS, ...lines.slice(0, -1), `${lines[lines.length - 1]} 1`), 'robots.yaml'));
    expect(issues).toEqual([expect.objectContaining({ path: '(yaml)', message: expect.stringMatching(/^nested (too deeply to read|more than 100 levels deep)/) })]);
  });
});

describe('the reload path (on a worker thread)', () => {
  it('refuses an alias bomb with the same positioned issue', async () => {
    const file = fileWith('bomb-off-thread.yaml', billionLaughs());
    const result = await loadConfigFileOffThread(file, Date.now());
    expect(issuesOf(result)).toEqual(issuesOf(loadConfigFile(file)));
  });

  it('loads a valid config with its templates compiled', async () => {
    fileWith('hi.hbs', 'Привет, {{item.name}}');
    const file = fileWith('valid-off-thread.yaml', yaml('templates:', '  hi: { file: hi.hbs }', '  bye: { text: "Bye {{item.name}}" }', ...LEADS));
    const result = await loadConfigFileOffThread(file, 1234);
    if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
    expect(result.config.loadedAt).toBe(1234);
    expect(result.config.templates.get('hi')?.text({ item: { name: 'Анна' } })).toBe('Привет, Анна');
    expect(result.config.templates.get('bye')?.text({ item: { name: 'Анна' } })).toBe('Bye Анна');
  });

  it('a check that runs out of time is a refusal, not a hang', async () => {
    const file = fileWith('slow.yaml', yaml(...LEADS));
    expect(issuesOf(await loadConfigFileOffThread(file, Date.now(), { timeoutMs: 1 }))).toEqual([
      expect.objectContaining({ line: 1, col: 1, path: '(file)', message: expect.stringMatching(/^checking the config took over/) }),
    ]);
  });
});
