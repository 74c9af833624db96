import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../support/until';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');
const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
leads:
  stages:
    - id: new
`;

/**
 * What a person starting the server sees: the log says where the board is (the port really
 * taken, or PUBLIC_URL), and the server's bare address opens the board.
 */
describe('robots serve: where the board is', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-serve-'));
  const children: ChildProcess[] = [];
  beforeAll(() => fs.writeFileSync(path.join(dir, 'robots.yaml'), CONFIG));
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function serve(env: NodeJS.ProcessEnv): { lines: string[] } {
    const output = { lines: [] as string[] };
    const child = spawn(process.execPath, [BIN, 'serve', '--no-watch'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, `robots-${children.length}.sqlite`)}`, ROBOTS_CONFIG: path.join(dir, 'robots.yaml'), LOG_LEVEL: 'info', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout?.on('data', (chunk: Buffer) => output.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    return output;
  }

  const messages = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '');
  const boardOf = (lines: string[]) => messages(lines).find((message) => message.startsWith('Board: '));

  async function boardLine(output: { lines: string[] }): Promise<string> {
    await until(() => boardOf(output.lines) !== undefined, { what: 'the "Board:" line of the startup log' });
    return boardOf(output.lines) ?? '';
  }

  it('prints the board at the address it really listens on, and `/` sends a browser there', async () => {
    const output = serve({ PUBLIC_URL: '' });
    const board = await boardLine(output);
    const url = /^Board: (http:\/\/localhost:(\d+))\/board\/$/.exec(board);
    expect(url).not.toBeNull();
    expect(messages(output.lines).some((message) => message.includes(`listening on ${url?.[1]}`))).toBe(true);
    const root = await fetch(`${url?.[1]}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/board/');
  });

  it('prints PUBLIC_URL when it is set (behind a proxy, the address people use)', async () => {
    const output = serve({ PUBLIC_URL: 'https://crm.example.ru/' });
    const board = await boardLine(output);
    expect(board).toBe('Board: https://crm.example.ru/board/');
  });
});
