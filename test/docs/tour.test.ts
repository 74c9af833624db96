/**
 * The README's five-minute tour, run as written. The README is the single source: its shell
 * blocks under "A five-minute tour" are run one command at a time with bash against a real
 * `robots serve` on a free loopback port, and every `# …` line under a command must appear in
 * what that command printed (`…` stands for anything; runs of spaces count as one). A yaml
 * block whose first line is `# <name>.yaml` is saved under that name first (the scenario).
 *
 * The commands run in a throw-away project directory in which robots is installed the way a
 * user has it: `node_modules/.bin/robots` is this checkout's bin, and the example config and
 * its templates sit beside it. So `npx robots …`, `./data/robots.sqlite` and the tour's
 * `robots.broken.yaml` behave exactly as the README says, without touching the checkout.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { nth } from '../support/lists';

const ROOT = path.join(__dirname, '..', '..');
const README = path.join(ROOT, 'README.md');
const TOUR_HEADING = '## A five-minute tour';

interface TourCommand {
  /** The command as written, continuation lines included. */
  text: string;
  /** The `# …` lines written under it: what it prints. */
  expected: string[];
  /** Line in README.md, for failure messages. */
  line: number;
}

interface TourFile {
  name: string;
  text: string;
}

type TourStep = { kind: 'command'; command: TourCommand } | { kind: 'file'; file: TourFile };

/** The tour's fenced blocks, in order: shell commands with their documented output, and files to save. */
export function tourSteps(markdown: string): TourStep[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === TOUR_HEADING);
  if (start < 0) throw new Error(`README.md has no "${TOUR_HEADING}" heading`);
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const steps: TourStep[] = [];
  for (let index = start + 1; index < (end < 0 ? lines.length : end); index++) {
    const fence = /^```(\w*)\s*$/.exec(nth(lines, index));
    if (!fence) continue;
    const bodyStart = index + 1;
    let close = bodyStart;
    while (close < lines.length && !/^```\s*$/.test(nth(lines, close))) close++;
    const body = lines.slice(bodyStart, close);
    if (fence[1] === 'sh') steps.push(...commandsOf(body, bodyStart + 1).map((command) => ({ kind: 'command' as const, command })));
    const fileName = /^#\s*([\w.-]+\.ya?ml)\s*$/.exec(body[0] ?? '');
    if (fence[1] === 'yaml' && fileName) steps.push({ kind: 'file', file: { name: nth(fileName, 1), text: body.join('\n') + '\n' } });
    index = close;
  }
  return steps;
}

function commandsOf(body: string[], firstLine: number): TourCommand[] {
  const commands: TourCommand[] = [];
  for (let index = 0; index < body.length; index++) {
    const line = nth(body, index);
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const last = commands.at(-1);
      if (last) last.expected.push(line.replace(/^#\s?/, ''));
      continue;
    }
    const command: TourCommand = { text: line, expected: [], line: firstLine + index };
    while (command.text.endsWith('\\') && index + 1 < body.length) command.text += '\n' + nth(body, ++index);
    commands.push(command);
  }
  return commands;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ');

/**
 * Where the documented lines are in the output, in order: each expected line's pieces (split at
 * `…`) must appear in order on one output line, after where the previous expected line matched.
 * Answers the first expected line that is not there, or null.
 */
export function firstMissing(output: string, expected: string[]): string | null {
  const outputLines = output.split('\n').map(collapse);
  let lineIndex = 0;
  let column = 0;
  for (const wanted of expected) {
    const pieces = wanted
      .split('…')
      .map((piece) => collapse(piece).trim())
      .filter((piece) => piece !== '');
    if (pieces.length === 0) continue; // a line of "…" alone: more output, nothing to check
    let found = false;
    for (let index = lineIndex; index < outputLines.length && !found; index++) {
      let at = index === lineIndex ? column : 0;
      for (const piece of pieces) {
        const hit = nth(outputLines, index).indexOf(piece, at);
        if (hit < 0) {
          at = -1;
          break;
        }
        at = hit + piece.length;
      }
      if (at >= 0) {
        lineIndex = index;
        column = at;
        found = true;
      }
    }
    if (!found) return wanted;
  }
  return null;
}

/** A GET with curl: safe to repeat until the robots it waits for have run ("a moment later"). */
const readOnly = (command: string) => /^curl -s /.test(command) && !/\s-X\s|\s-d\s/.test(command);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: stdout });
    });
  });
}

describe('the README tour', () => {
  const readme = fs.readFileSync(README, 'utf8');
  const steps = tourSteps(readme);
  const commands = steps.flatMap((step) => (step.kind === 'command' ? [step.command] : []));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-tour-'));
  let server: ChildProcess | undefined;
  let serverLog = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'robots-tour', private: true }));
    fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'bin', 'robots.js'), path.join(dir, 'node_modules', '.bin', 'robots'));
    fs.symlinkSync(path.join(ROOT, 'robots.example.yaml'), path.join(dir, 'robots.example.yaml'));
    fs.symlinkSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'));
    const port = await freePort();
    env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    // The tour relies on the documented defaults: nothing from the caller's shell may steer it.
    for (const name of ['DATABASE_URL', 'ROBOTS_CONFIG', 'PUBLIC_URL', 'API', 'ANNA', 'STEPAN', 'OLGA']) delete env[name];
    for (const name of Object.keys(env)) if (/^(SMTP_|TWILIO_|TELEGRAM_|EMAIL_)/.test(name)) delete env[name];
    server = spawn(process.execPath, [path.join(ROOT, 'bin', 'robots.js'), 'serve'], { cwd: dir, env: { ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (chunk) => (serverLog += chunk));
    server.stderr?.on('data', (chunk) => (serverLog += chunk));
    const deadline = Date.now() + 20_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (answer) => answer.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline || !running(server)) throw new Error(`robots serve did not start:\n${serverLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);

  afterAll(async () => {
    if (server && running(server)) {
      const child = server;
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM'); // `serve` finishes the runs under way and exits
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
      if (running(child)) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows commands with their output, enough to mean something', () => {
    expect(commands.length).toBeGreaterThanOrEqual(15);
    expect(commands.filter((command) => command.expected.some((line) => line.replace(/…/g, '').trim() !== '')).length).toBeGreaterThanOrEqual(12);
    expect(steps.some((step) => step.kind === 'file')).toBe(true);
  });

  it('prints what the README says it prints, command by command', async () => {
    // Variables a block sets (tokens, $API) carry over to later blocks, as in one terminal.
    const names = [...new Set(commands.flatMap((command) => [...command.text.matchAll(/^([A-Za-z_]\w*)=/gm)].map((match) => match[1])))];
    const state = path.join(dir, '.tour-state');
    fs.writeFileSync(state, '');
    for (const step of steps) {
      if (step.kind === 'file') {
        fs.writeFileSync(path.join(dir, step.file.name), step.file.text);
        continue;
      }
      const { command } = step;
      const script = ['exec 2>&1', `source ${JSON.stringify(state)}`, command.text, '__status=$?', `declare -p ${names.join(' ')} > ${JSON.stringify(state)} 2>/dev/null`, 'exit $__status'].join('\n');
      const deadline = Date.now() + (readOnly(command.text) ? 10_000 : 0);
      let result = await bash(script, dir, env);
      let missing = firstMissing(result.output, command.expected);
      while (result.code === 0 && missing !== null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        result = await bash(script, dir, env);
        missing = firstMissing(result.output, command.expected);
      }
      const where = `README.md:${command.line}: ${command.text}`;
      if (result.code !== 0) throw new Error(`${where}\nexited ${result.code}:\n${result.output}\n--- server log ---\n${serverLog}`);
      if (missing !== null) throw new Error(`${where}\ndoes not print\n  ${missing}\nit printed:\n${result.output.slice(0, 6000)}`);
    }
  }, 90_000);
});

describe('the tour matcher', () => {
  const output = '{"id":1,"stage":"converted","deal_id":1}\nsecond   line  here';

  it.each([
    [['{"id":1,…"deal_id":1}'], null],
    [['{"id":1,…"deal_id":2}'], '{"id":1,…"deal_id":2}'],
    [['"deal_id":1', '"stage":"converted"'], '"stage":"converted"'], // out of order
    [['"stage":"converted"', 'second line here'], null],
    [['second line', '"id":1'], '"id":1'],
    [['…'], null],
  ])('%j in order → missing %j', (expected, missing) => {
    const answer = firstMissing(output, expected);
    if (missing === null) expect(answer).toBeNull();
    else expect(answer).toBe(missing);
  });
});
