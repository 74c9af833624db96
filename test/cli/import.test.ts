import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { robots } from '../support/robots-cli';

const CONFIG = `
default_region: RU
users:
  - { login: olga, name: Ольга, role: ops }
leads:
  stages:
    - id: new
      robots:
        - { id: greet, type: notify, to: [olga], text: "Новый лид {{item.name}}" }
`;

describe('robots import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-import-'));
  const env = { DATABASE_URL: path.join(dir, 'robots.sqlite') };
  const config = path.join(dir, 'robots.yaml');
  const file = path.join(dir, 'leads.csv');
  beforeAll(() => {
    fs.writeFileSync(config, CONFIG);
    fs.writeFileSync(file, iconv.encode('ФИО;Телефон;Примечание\r\nИванов Иван;8 916 123-45-67;\r\nПетрова Анна;12;ошибка в номере\r\nИванов И.;+7 (916) 123-45-67;повтор\r\n', 'win1251'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a dry run reports what would happen and writes nothing; the import then writes, reports the bad row and exits 1; piped output has no progress bar', async () => {
    const dry = await robots(['import', file, '-c', config, '--dry-run'], env);
    expect(dry.stdout).toContain('windows-1251, separated by semicolons, 3 rows');
    expect(dry.stdout).toContain('dry run, nothing written: 1 would be created, 0 would be updated, 1 duplicates would be skipped, 1 rows refused');
    const real = await robots(['import', file, '-c', config, '--json'], env);
    expect(real.code).toBe(1);
    expect(real.stdout).not.toContain('█');
    const report = JSON.parse(real.stdout);
    expect(report).toMatchObject({ created: 1, skipped: 1, failed: 1, errors: [{ row: 3, column: 'Телефон', message: '"12" is not a phone number (default region RU)' }], ignored_columns: ['Примечание'] });
    // A second run finds the lead the first wrote.
    const again = await robots(['import', file, '-c', config, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, skipped: 2 });
  });

  it('--map consent_sms=… records the clients’ да and нет and says how many', async () => {
    const consents = path.join(dir, 'consents.csv');
    fs.writeFileSync(consents, 'ФИО;Телефон;Согласие на SMS\r\nСидоров Пётр;8 903 111-22-33;да\r\nКозлова Ольга;8 903 444-55-66;нет\r\n');
    const result = await robots(['import', consents, '-c', config, '--map', 'consent_sms=Согласие на SMS'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('columns: consent_sms ← Согласие на SMS, name ← ФИО, phone ← Телефон');
    expect(result.stdout).toContain('consents: 2 recorded, 0 already so');
  });
});
