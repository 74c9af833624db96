import fs from 'node:fs';
import path from 'node:path';

/**
 * The layout is the architecture (README "Architecture"): these boundaries keep a robot
 * testable without a database and the queue in one place (test/cli/validate-light.test.ts keeps
 * `robots validate` light).
 */
const ROOT = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** Every module a file imports at run time, resolved to a repo path or a package name (type-only imports are erased). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'|require\('([^']+)'\)/gm)].flatMap((match) => match[1] ?? match[2] ?? match[3] ?? []);
  return specifiers.map((specifier) => (specifier.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier)) : (specifier.split('/')[0] ?? specifier)));
}

function violations(dirs: string[], forbidden: (target: string) => boolean): string[] {
  return dirs.flatMap(sourceFiles).flatMap((file) => runtimeImports(file).filter(forbidden).map((target) => `${file} → ${target}`));
}

const PROVIDERS = ['twilio', 'telegraf', 'nodemailer', 'express'];
const DATABASE = ['typeorm', 'pg', 'sqlite3'];

describe('the layout keeps its boundaries', () => {
  it('robots import neither the ORM, the database layer nor the Engine class', () => {
    expect(violations(['robots'], (target) => DATABASE.includes(target) || target.startsWith('server/db') || target === 'server/engine/engine')).toEqual([]);
  });

  it('robots reach the engine only through the RobotPorts type', () => {
    expect(violations(['robots'], (target) => target.startsWith('server/') && !target.startsWith('server/core/'))).toEqual([]);
  });

  it('the engine imports no web framework and no provider SDK', () => {
    expect(violations(['server/engine'], (target) => PROVIDERS.includes(target))).toEqual([]);
  });

  it('the core is pure: no ORM, no providers, nothing of the server but itself', () => {
    expect(violations(['server/core'], (target) => [...DATABASE, ...PROVIDERS].includes(target) || (target.startsWith('server/') && !target.startsWith('server/core/')))).toEqual([]);
  });

  it('config depends on nothing in server/ except the core', () => {
    expect(violations(['config'], (target) => target.startsWith('server/') && !target.startsWith('server/core/'))).toEqual([]);
  });

  it('only the queue module writes SQL against robot_runs, and the pending set is written once', () => {
    // The engine's code, and the move benchmark whose raw ceiling must run the engine's own
    // statements. The chaos and drain benchmarks observe a database from outside (set-up,
    // counts) and may query it as an operator would.
    const files = [...['server', 'robots', 'triggers', 'config'].flatMap(sourceFiles), 'bench/index.ts'].filter((file) => !file.includes('migrations'));
    // Comments and the table mapping (`tableName: 'robot_runs'`) name the table without touching it.
    const code = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '').replace(/tableName: 'robot_runs'/g, '');
    const mentioning = files.filter((file) => /robot_runs\b/.test(code(file)));
    expect(mentioning).toEqual(['server/engine/queue.ts']);
    const pendingSets = files.filter((file) => /\[\s*'scheduled',\s*'failed'\s*\]|'scheduled', 'failed'\)/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(pendingSets).toEqual(['server/engine/queue.ts']);
  });
});
