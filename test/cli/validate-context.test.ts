import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'lead-funnel.yaml');

async function robots(args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: ROOT, timeout: 60000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** 1-based `line:col` of `token` on the first line of `text` that contains it. */
function positionOf(text: string, token: string): string {
  const lines = text.split('\n');
  const line = lines.findIndex((candidate) => candidate.includes(token));
  const found = lines[line];
  if (found === undefined) throw new Error(`no "${token}" in the text`);
  return `${line + 1}:${found.indexOf(token) + 1}`;
}

describe('robots validate on a config whose conditions and templates read paths that do not exist', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-validate-context-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 1 and prints each typo at file:line:col with the name meant', async () => {
    const file = path.join(dir, 'typos.yaml');
    const text = fs
      .readFileSync(FIXTURE, 'utf8')
      .replace('condition: { "!!": [{ var: item.email }] }', 'condition: { "!!": [{ var: item.emial }] }')
      .replace('about {{fields.product}}.', 'about {{fields.prodcut}}.')
      .replace(/ {2}repeat_alert:\n {4}channel: telegram\n {4}text: .*\n/, '  repeat_alert:\n    channel: telegram\n    file: repeat.hbs\n');
    fs.writeFileSync(file, text);
    fs.writeFileSync(path.join(dir, 'repeat.hbs'), 'Priority: lead #{{lead.id}}\n{{#if contact}}known as {{contact.nmae}}{{/if}}\n');

    const result = await robots(['validate', file]);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((line) => line.includes('typos.yaml:'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`typos\\.yaml:${positionOf(text, 'repeat.hbs')} templates\\.repeat_alert\\.file: template file repeat\\.hbs:2:27: unknown variable "contact\\.nmae" \\(did you mean "contact\\.name"\\?\\)$`),
      ),
      expect.stringMatching(new RegExp(`typos\\.yaml:${positionOf(text, '"Dear')} templates\\.welcome\\.text: unknown variable "fields\\.prodcut" \\(did you mean "fields\\.product"\\?\\), at column \\d+ of the text$`)),
      expect.stringMatching(
        new RegExp(`typos\\.yaml:${positionOf(text, 'item.emial')} deals\\.services\\.stages\\[0\\]\\.robots\\[1\\]\\.condition\\.!!\\[0\\]\\.var: unknown variable "item\\.emial" \\(did you mean "item\\.email"\\?\\)$`),
      ),
    ]);
    expect(result.stderr).toMatch(/3 problems/);
  });
});
