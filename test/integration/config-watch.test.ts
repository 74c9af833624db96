import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness';
import { until } from '../support/until';
import { nth } from '../support/lists';

/**
 * The config watcher against real saves in a real directory: editors and tools rarely write a
 * file in place. The Runtime needs a database, so these run on SQLite only (the watcher does not
 * depend on which one).
 */

const config = (text: string, extra: string[] = []) =>
  ['users:', '  - { login: root, name: Root, role: admin }', ...extra, 'leads:', '  stages:', '    - id: new', '      robots:', `        - { id: hello, type: notify, to: [root], text: "${text}" }`, ''].join('\n');

describe('the config watcher, on sqlite', () => {
  let dir: string;
  let harness: Harness;
  const helloText = () => harness.runtime.config.current.robots.get('hello')?.robot.text;

  afterEach(async () => {
    await harness.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('with robots.yaml a plain file', () => {
    let configFile: string;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-watch-'));
      configFile = path.join(dir, 'robots.yaml');
      fs.writeFileSync(configFile, config('v1'));
      harness = await startHarness('sqlite', { configFile });
      harness.runtime.watch(20);
    });

    it('picks up a file moved over robots.yaml (mv, vim), then the next one, then an edit in place', async () => {
      fs.writeFileSync(path.join(dir, 'robots.yaml.new'), config('v2'));
      fs.renameSync(path.join(dir, 'robots.yaml.new'), configFile);
      await until(() => helloText() === 'v2');

      fs.writeFileSync(path.join(dir, '.robots.yaml.swp'), config('v3'));
      fs.renameSync(path.join(dir, '.robots.yaml.swp'), configFile);
      await until(() => helloText() === 'v3');

      fs.writeFileSync(configFile, config('v4'));
      await until(() => helloText() === 'v4');
    });

    it('picks up `sed -i`, which writes a new file and renames it over the old one', async () => {
      const inode = fs.statSync(configFile).ino;
      sed('s/"v1"/"edited by sed"/', configFile);
      expect(fs.statSync(configFile).ino).not.toBe(inode);
      await until(() => helloText() === 'edited by sed');
      sed('s/"edited by sed"/"and again"/', configFile);
      await until(() => helloText() === 'and again');
    });

    it('keeps the running config through a broken save, and takes the fix after it', async () => {
      const running = harness.runtime.config.current;
      let rejected = 0;
      const reload = harness.runtime.reload.bind(harness.runtime);
      harness.runtime.reload = async () => {
        const result = await reload();
        if (!result.ok) rejected += 1;
        return result;
      };
      fs.writeFileSync(`${configFile}.tmp`, config('broken').replace('type: notify', 'type: notifyy'));
      fs.renameSync(`${configFile}.tmp`, configFile);
      await until(() => rejected === 1);
      expect(harness.runtime.config.current).toBe(running);

      fs.writeFileSync(`${configFile}.tmp`, config('fixed'));
      fs.renameSync(`${configFile}.tmp`, configFile);
      await until(() => helloText() === 'fixed');
    });

    it('answers POST /api/config/reload with 422 and the position when an alias bomb is on disk', async () => {
      const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (const [name, previous] of ['ba', 'cb', 'dc', 'ed', 'fe', 'gf', 'hg', 'ih']) bomb.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
      harness.runtime.unwatch();
      fs.writeFileSync(configFile, [...bomb, config('bomb')].join('\n'));
      const response = await harness.as('root').post('/api/config/reload').expect(422);
      expect(response.body.errors).toEqual([
        { file: expect.stringMatching(/robots\.yaml$/), line: 6, col: 8, path: '(yaml)', message: expect.stringMatching(/^aliases expand to more than 100000 values/), code: 'alias_bomb', params: { max: 100000 } },
      ]);
      expect(helloText()).toBe('v1');
    });

    it('keeps answering requests while a 6 MB config is checked, and reports its one mistake at the end', async () => {
      const fields = ['fields:'];
      for (let index = 0; fields.length * 90 < 6 * 1024 * 1024; index += 1) fields.push(`  field_${index}: { type: string, label: "A custom field the sales team fills in by hand, ${index}" }`);
      const last = fields.length - 1;
      const mistaken = nth(fields, last).replace('type: string', 'type: strin');
      harness.runtime.unwatch();
      fs.writeFileSync(configFile, config('big', [...fields.slice(0, last), mistaken]));
      expect(fs.statSync(configFile).size).toBeGreaterThan(6 * 1024 * 1024);

      // A refused file changes nothing in the database, so the reload ends the moment the check
      // does: a request answered before it was answered while the 6 MB were being read and checked.
      // (Checked on the main thread, the reload was over before any request could be answered.)
      let reloadDone = false;
      const started = performance.now();
      const reloading = harness.runtime.reload().finally(() => {
        reloadDone = true;
      });
      await harness.as('root').get('/api/leads').expect(200);
      const answeredAfter = performance.now() - started;
      expect(reloadDone).toBe(false);
      const refused = await reloading;
      process.stderr.write(`    6 MB reload: a request answered after ${Math.round(answeredAfter)} ms, the file refused after ${Math.round(performance.now() - started)} ms\n`);
      expect(refused).toEqual({
        ok: false,
        issues: [
          expect.objectContaining({ line: 3 + last, col: mistaken.indexOf('strin') + 1, path: `fields.field_${last - 1}.type`, message: expect.stringMatching(/^unknown type "strin" \(did you mean "string"\?\)/) }),
        ],
      });
      expect(helloText()).toBe('v1');

      fs.writeFileSync(configFile, config('big', fields));
      const loadStarted = performance.now();
      expect(await harness.runtime.reload()).toMatchObject({ ok: true });
      process.stderr.write(`    6 MB reload, valid: ${Math.round(performance.now() - loadStarted)} ms\n`);
      expect(helloText()).toBe('big');
    }, 120_000);
  });

  describe('with robots.yaml mounted from a Kubernetes ConfigMap', () => {
    // The kubelet's layout: robots.yaml -> ..data/robots.yaml, ..data -> ..<timestamp>/; an update
    // writes a new timestamped directory and renames a new `..data` link over the old one.
    let version = 0;
    const publish = (text: string) => {
      version += 1;
      const timestamped = `..2026_03_02_09_00_0${version}.${1000 + version}`;
      fs.mkdirSync(path.join(dir, timestamped));
      fs.writeFileSync(path.join(dir, timestamped, 'robots.yaml'), config(text));
      const previous = fs.existsSync(path.join(dir, '..data')) ? fs.readlinkSync(path.join(dir, '..data')) : null;
      fs.symlinkSync(timestamped, path.join(dir, '..data_tmp'));
      fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
      if (previous) fs.rmSync(path.join(dir, previous), { recursive: true });
    };

    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-configmap-'));
      publish('v1');
      fs.symlinkSync(path.join('..data', 'robots.yaml'), path.join(dir, 'robots.yaml'));
      harness = await startHarness('sqlite', { configFile: path.join(dir, 'robots.yaml') });
      harness.runtime.watch(20);
    });

    it('picks up every update of the ConfigMap (the ..data symlink swapped)', async () => {
      expect(helloText()).toBe('v1');
      publish('v2');
      await until(() => helloText() === 'v2');
      publish('v3');
      await until(() => helloText() === 'v3');
    });
  });
});

/** GNU `sed -i`; elsewhere what it does: a temp file in the same directory renamed over the original. */
function sed(script: string, file: string): void {
  if (process.platform === 'linux') {
    execFileSync('sed', ['-i', script, file]);
    return;
  }
  const [, from, to] = script.split('/');
  if (from === undefined || to === undefined) throw new Error(`not an s/from/to/ script: ${script}`);
  const temp = path.join(path.dirname(file), `sed${process.pid}`);
  fs.writeFileSync(temp, fs.readFileSync(file, 'utf8').replace(from, to));
  fs.renameSync(temp, file);
}
