import { runChaosCase, type ChaosDatabase } from '../../bench/chaos';
import { testDatabaseKinds } from '../support/databases';

/**
 * The short version of `npm run chaos`: real `robots serve` processes, real loopback peers,
 * real kill -9. The full version (1,000 leads, every case) prints its table in the README.
 */
describe.each(testDatabaseKinds() as ChaosDatabase[])('chaos on %s', (kind) => {
  it('kill -9 twice while a cadence goes out: every touch arrives once, nothing stranded', async () => {
    const result = await runChaosCase('kill', kind, { leads: 20, restarts: 2, settleMs: 60_000 });
    expect(result.duplicated).toEqual([]);
    expect(result.stranded).toEqual([]);
    expect(result.lost).toEqual([]);
    // A worker killed mid-send leaves that touch `unknown` (listed) rather than sending it twice.
    expect(result.delivered + result.unknown.length).toBeGreaterThanOrEqual(result.expected);
  }, 180_000);

  if (kind === 'postgres') it('connections cut mid-run: a delivered touch is recorded, never sent again', async () => {
    const result = await runChaosCase('connections', kind, { leads: 30, settleMs: 60_000 });
    expect(result).toMatchObject({ expected: 90, delivered: 90, lost: [], duplicated: [], stranded: [] });
  }, 180_000);

  it('six identical moves of each lead through two servers are applied once each', async () => {
    const result = await runChaosCase('concurrent-moves', kind, { leads: 20, settleMs: 60_000 });
    expect(result.note).toMatch(/^20 of 120 moves answered moved: true/);
    expect(result).toMatchObject({ expected: 20, delivered: 20, lost: [], duplicated: [], stranded: [] });
  }, 180_000);
});
