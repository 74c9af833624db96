import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEN_ERRORS, TEN_MISTAKES } from '../support/ten-mistakes';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');

describe('robots validate on a file with ten mistakes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-validate-ten-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints all ten in one run, each at file:line:col, and exits 1', async () => {
    fs.writeFileSync(path.join(dir, 'robots.yaml'), TEN_MISTAKES);
    const failed = await run('node', [BIN, 'validate', 'robots.yaml'], { cwd: dir, timeout: 60000 }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.split('\n').filter((line) => line.startsWith('robots.yaml:'))).toEqual(TEN_ERRORS);
    expect(failed?.stderr).toMatch(/10 problems in robots\.yaml/);
  });

  it("with --locale ru prints the same ten at the same places in Russian: only the file's own names in Latin, quoted", async () => {
    fs.writeFileSync(path.join(dir, 'robots.yaml'), TEN_MISTAKES);
    const failed = await run('node', [BIN, 'validate', 'robots.yaml', '--locale', 'ru'], { cwd: dir, timeout: 60000 }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    const lines = failed?.stderr.split('\n').filter((line) => line.startsWith('robots.yaml:')) ?? [];
    const place = (line: string) => line.slice(0, line.indexOf(': ') + 1);
    expect(lines.map(place)).toEqual(TEN_ERRORS.map(place));
    expect(lines).toContain('robots.yaml:32:21 leads.stages[0].robots[0].template: нет шаблона «welcom» (может быть, «welcome»?)');
    for (const line of lines) expect(line.slice(line.indexOf(': ') + 2).replace(/«[^»]*»/g, '')).not.toMatch(/[A-Za-z]{2,}/);
  });
});
