import fs from 'node:fs';
import path from 'node:path';

/**
 * The layout is the architecture (docs/architecture.md): these boundaries keep a robot testable
 * without a database, `robots validate` light, the queue in one place and every dependency
 * pointing one way (test/cli/validate-light.test.ts keeps `robots validate` light). Type-only
 * imports count: a cycle of types is a cycle of concepts.
 */
const ROOT = path.join(__dirname, '..', '..');
const SOURCE_DIRS = ['server', 'robots', 'triggers', 'config'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** A specifier resolved to a repo file (`server/core/items.ts`) or a package name (`typeorm`). */
function resolveSpecifier(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? specifier : specifier.split('/')[0]!;
  const base = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) if (fs.existsSync(path.join(ROOT, candidate))) return candidate;
  return base;
}

/** Every module a file imports: run-time and type-only, `export … from`, `require()` and `import()` types. */
function imports(file: string, options: { typesToo: boolean } = { typesToo: true }): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const pattern = options.typesToo
    ? /^\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/gm
    : /^\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm;
  return [...text.matchAll(pattern)].map((match) => resolveSpecifier(file, (match[1] ?? match[2] ?? match[3] ?? match[4])!));
}

const FILES = SOURCE_DIRS.flatMap(sourceFiles);
const GRAPH = new Map(FILES.map((file) => [file, imports(file).filter((target) => target.endsWith('.ts'))]));

function violations(files: string[], forbidden: (target: string, file: string) => boolean, options?: { typesToo: boolean }): string[] {
  return files.flatMap((file) =>
    imports(file, options)
      .filter((target) => forbidden(target, file))
      .map((target) => `${file} → ${target}`),
  );
}

const under = (...dirs: string[]) => FILES.filter((file) => dirs.some((dir) => file.startsWith(`${dir}/`) || file === dir));
const inside = (target: string, ...dirs: string[]) => dirs.some((dir) => target.startsWith(`${dir}/`) || target === dir);

/** The shape and words of robots.yaml: at the bottom, beside the core. */
const CONFIG_VOCABULARY = ['config/schema.ts', 'config/primitives.ts', 'config/duration.ts', 'config/event-types.ts', 'config/did-you-mean.ts', 'config/messages.ts'];

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        connect(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      for (let member = stack.pop()!; ; member = stack.pop()!) {
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);
  return found;
}

const PROVIDERS = ['twilio', 'telegraf', 'nodemailer', 'express'];
const DATABASE = ['typeorm', 'pg', 'sqlite3'];

describe('the layout keeps its boundaries', () => {
  it('has no import cycle, type imports counted', () => {
    expect(cycles(GRAPH)).toEqual([]);
  });

  it('the words of robots.yaml import nothing of the server, the robots or the triggers', () => {
    expect(violations(CONFIG_VOCABULARY, (target) => target.endsWith('.ts') && !CONFIG_VOCABULARY.includes(target))).toEqual([]);
  });

  it('the core is pure: no ORM, no providers, nothing but itself and the words of robots.yaml', () => {
    expect(violations(under('server/core'), (target) => [...DATABASE, ...PROVIDERS].includes(target) || (target.endsWith('.ts') && !inside(target, 'server/core') && !CONFIG_VOCABULARY.includes(target)))).toEqual([]);
  });

  it('robots and triggers see the core, the words of robots.yaml and their own contract, nothing else', () => {
    const allowed = (target: string, file: string) => inside(target, 'server/core') || CONFIG_VOCABULARY.includes(target) || inside(target, file.split('/')[0]!);
    expect(violations(under('robots', 'triggers'), (target, file) => [...DATABASE, ...PROVIDERS].includes(target) || (target.endsWith('.ts') && !allowed(target, file)))).toEqual([]);
  });

  it('no server module imports a robot file, except the composition root and the robots’ port adapter', () => {
    const wiring = ['server/runtime.ts', 'server/robot-ports.ts'];
    expect(
      violations(
        under('server').filter((file) => !wiring.includes(file)),
        (target) => inside(target, 'robots', 'triggers'),
      ),
    ).toEqual([]);
    expect(violations(['server/robot-ports.ts'], (target) => inside(target, 'robots') && target !== 'robots/contract.ts')).toEqual([]);
  });

  it('only the composition root builds services: nobody else imports it but the entry points', () => {
    expect(
      violations(
        under('server', 'robots', 'triggers', 'config'),
        (target, file) => target === 'server/runtime.ts' && !['server/cli.ts', 'server/simulate.ts', 'server/http/app.ts', 'server/http/health.ts', 'server/http/routes/provider-webhooks.ts'].includes(file),
      ),
    ).toEqual([]);
  });

  it('dependencies point down: records, pipeline and messaging know nothing of inbound, voice, sweeps or HTTP', () => {
    const upper = ['server/inbound', 'server/voice', 'server/sweeps', 'server/http', 'server/reads', 'server/reports', 'server/config-ops'];
    expect(violations(under('server/records', 'server/pipeline', 'server/messaging', 'server/db'), (target) => inside(target, ...upper) || target === 'server/runtime.ts' || target === 'server/robot-ports.ts')).toEqual(
      [],
    );
    expect(violations(under('server/records', 'server/db'), (target) => inside(target, 'server/pipeline', 'server/messaging'))).toEqual([]);
  });

  it('the pipeline knows no robot and no channel by name', () => {
    expect(violations(under('server/pipeline'), (target) => inside(target, 'robots', 'server/channels') || PROVIDERS.includes(target))).toEqual([]);
  });

  it('a channel never imports inbound, voice or the pipeline', () => {
    expect(violations(under('server/channels'), (target) => inside(target, 'server/inbound', 'server/voice', 'server/pipeline', 'server/records'))).toEqual([]);
  });

  it('HTTP routes parse, authorise and call a service or a read: no ORM, no entities, no SQL helpers', () => {
    expect(violations(under('server/http'), (target) => target === 'typeorm' || target === 'server/db/entities.ts' || target === 'server/db/hot-path.ts')).toEqual([]);
  });

  it('nothing imports the HTTP layer but the entry points', () => {
    expect(
      violations(
        FILES.filter((file) => !inside(file, 'server/http')),
        (target, file) => inside(target, 'server/http') && file !== 'server/cli.ts',
      ),
    ).toEqual([]);
  });

  it('config depends on nothing in server/ except the core', () => {
    expect(violations(under('config'), (target) => inside(target, 'server') && !inside(target, 'server/core'))).toEqual([]);
  });

  it('lead and deal rows are written in one module', () => {
    const code = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
    const writers = FILES.filter((file) => !file.includes('migrations')).filter((file) =>
      /update\((LeadEntity|DealEntity|entity)\b|updateById\([^,]+, (LeadEntity|DealEntity)|insertOne\([^,]+, (LeadEntity|DealEntity|entityOf)|UPDATE (leads|deals|\$\{table\})|\.update\(entityOf/.test(code(file)),
    );
    expect(writers).toEqual(['server/records/item-rows.ts']);
  });

  it('only the queue module writes SQL against robot_runs, and the pending set is written once', () => {
    // The engine's code, and the move benchmark whose raw ceiling must run the engine's own
    // statements. The chaos and drain benchmarks observe a database from outside (set-up,
    // counts) and may query it as an operator would.
    const files = [...FILES, 'bench/index.ts'].filter((file) => !file.includes('migrations'));
    // Comments and the table mapping (`tableName: 'robot_runs'`) name the table without touching it.
    const code = (file: string) =>
      fs
        .readFileSync(path.join(ROOT, file), 'utf8')
        .replace(/^\s*(\*|\/\/).*$/gm, '')
        .replace(/tableName: 'robot_runs'/g, '');
    const mentioning = files.filter((file) => /robot_runs\b/.test(code(file)));
    expect(mentioning).toEqual(['server/pipeline/queue.ts']);
    const pendingSets = files.filter((file) => /\[\s*'scheduled',\s*'failed'\s*\]|'scheduled', 'failed'\)/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(pendingSets).toEqual(['server/pipeline/queue.ts']);
  });

  it('the board (web/) imports only types of the server: no server code reaches the bundle', () => {
    const webFiles = (dir: string): string[] =>
      fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const relative = path.join(dir, entry.name);
        if (entry.isDirectory()) return webFiles(relative);
        return /\.tsx?$/.test(entry.name) ? [relative] : [];
      });
    const files = webFiles('web/src');
    expect(files.length).toBeGreaterThan(0);
    const serverSide = (target: string) => inside(target, 'server', 'config', 'robots', 'triggers') || target.startsWith('node:') || DATABASE.includes(target) || PROVIDERS.includes(target);
    expect(violations(files, serverSide, { typesToo: false })).toEqual([]);
  });

  it('the checks above see the imports they judge (a probe that could not fail is no check)', () => {
    expect(GRAPH.get('server/runtime.ts')).toContain('server/pipeline/pipeline.ts');
    expect(GRAPH.get('robots/contract.ts')).toContain('server/core/items.ts'); // a type-only import
    expect(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['a.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });
});
