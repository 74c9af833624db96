import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const PROVIDERS = ['twilio', 'telegraf', 'nodemailer', 'express'];
const DATABASE = ['typeorm', 'pg', 'sqlite3'];

/** `robots validate` runs in an editor's save hook and in CI: it stays light. */
describe('robots validate', () => {
  it('loads neither the ORM nor any provider SDK', () => {
    const script = `
      require('tsx/cjs');
      require('./server/cli.ts').main(['node', 'robots', 'validate', 'robots.example.yaml']).then(() => {
        const packages = Object.keys(require.cache).filter((key) => key.includes('node_modules')).map((key) => key.split('node_modules/').pop().split('/')[0]);
        console.log(JSON.stringify([...new Set(packages)]));
      });`;
    const output = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(output[0]).toMatch(/robots\.example\.yaml: OK/);
    const loaded: string[] = JSON.parse(output.at(-1) ?? '[]');
    expect(loaded).toContain('zod'); // the probe sees packages at all
    expect(loaded.filter((name) => [...DATABASE, ...PROVIDERS].includes(name))).toEqual([]);
  });
});
