/**
 * The README stays a front page and the docs stay findable: README.md is short, every relative
 * link in README.md and docs/ reaches a file (and a heading, for `#anchor`), every dependency
 * has its reason in docs/dependencies.md, and the documents speak of domain things rather than
 * tracker numbers or seed file names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { nth } from '../support/lists';

const ROOT = path.join(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');
const README = path.join(ROOT, 'README.md');

const documents = [
  README,
  ...fs
    .readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(DOCS, name)),
];
const relative = (file: string) => path.relative(ROOT, file);
const read = (file: string) => fs.readFileSync(file, 'utf8');

/** The text outside fenced code blocks and inline code, where links and words are prose. */
export function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '``');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a document's headings give, numbered as GitHub numbers repeated ones. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(nth(match, 1));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => nth(match, 1)).filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

describe('the README', () => {
  it('is a front page of at most 300 lines', () => {
    expect(read(README).split('\n').length).toBeLessThanOrEqual(300);
  });

  it('links to every document in docs/', () => {
    const links = new Set(linksOf(read(README)).map((target) => target.split('#')[0]));
    const docs = fs.readdirSync(DOCS).filter((name) => name.endsWith('.md'));
    expect(docs.filter((name) => !links.has(`docs/${name}`))).toEqual([]);
  });
});

describe('the documents in docs/', () => {
  it.each(documents.filter((file) => file !== README).map(relative))('%s opens with a heading and a paragraph saying what it is', (file) => {
    const blocks = read(path.join(ROOT, file)).split(/\n\s*\n/);
    expect(blocks[0]).toMatch(/^# \S/);
    expect(blocks[1]).toMatch(/^[A-Za-z]/);
    expect(nth(blocks, 1).split(/\s+/).length).toBeGreaterThanOrEqual(25);
  });
});

describe.each(documents.map(relative))('%s', (file) => {
  const text = read(path.join(ROOT, file));

  it('has every relative link reach a file, and a heading there when it names one', () => {
    const broken: string[] = [];
    for (const target of linksOf(text)) {
      const [pathPart = '', anchor] = target.split('#');
      const destination = pathPart === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(pathPart));
      if (!fs.existsSync(destination)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && !(destination.endsWith('.md') && anchorsOf(read(destination)).has(anchor))) broken.push(`${target}: no heading "#${anchor}" there`);
    }
    expect(broken).toEqual([]);
  });

  it('names domain things, not tracker numbers or seed files', () => {
    const offending = text.split('\n').filter((line) => /\bissues?\s*#?\d+|\bseeds?\s*#?0\d\d\b|\b0\d\d_[0-9a-f]{16}\b/i.test(line));
    expect(offending).toEqual([]);
  });

  it('has no heading written twice on one line', () => {
    expect(text.split('\n').filter((line) => /^#{1,6} .*#{2,6} /.test(line))).toEqual([]);
  });
});

describe('docs/dependencies.md', () => {
  it('gives a reason for every dependency in package.json', () => {
    const manifest = JSON.parse(read(path.join(ROOT, 'package.json'))) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
    const reasons = read(path.join(DOCS, 'dependencies.md'));
    const rows = reasons.split('\n').filter((line) => line.startsWith('| `'));
    expect(names.filter((name) => !rows.some((row) => nth(row.split('|'), 1).includes(`\`${name}\``)))).toEqual([]);
  });
});

describe('the link checker', () => {
  it.each([
    ['Map of the code', 'map-of-the-code'],
    ['Before a reload: `robots plan`', 'before-a-reload-robots-plan'],
    ['Chaos (`npm run chaos`)', 'chaos-npm-run-chaos'],
    ['Roles, signing in and the HTTP API', 'roles-signing-in-and-the-http-api'],
  ])('anchors "%s" as #%s', (heading, anchor) => {
    expect(slug(heading)).toBe(anchor);
  });

  it('ignores links inside code', () => {
    expect(linksOf('see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d](https://example.com)')).toEqual(['a.md']);
  });
});
