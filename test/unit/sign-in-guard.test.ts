import { FakeClock } from '../../server/core/clock';
import { SignInGuard } from '../../server/auth/sign-in-guard';

const MINUTE = 60_000;
const OFFICE = '203.0.113.7';

describe('SignInGuard: only failures count, per account and per address', () => {
  it('never locks on successes, however many', async () => {
    const guard = new SignInGuard(new FakeClock('2026-03-02T09:00:00+03:00'));
    for (let index = 0; index < 1000; index++) {
      expect(await guard.check('anna', OFFICE)).toEqual({ locked: false });
      await guard.succeeded('anna');
    }
  });

  it('locks an account at its tenth failure for what is left of the 15 minutes, then lets it try again', async () => {
    const clock = new FakeClock('2026-03-02T09:00:00+03:00');
    const guard = new SignInGuard(clock);
    for (let index = 0; index < 10; index++) {
      expect((await guard.check('anna', OFFICE)).locked).toBe(false);
      await guard.failed('anna', OFFICE);
      clock.advance(MINUTE);
    }
    expect(await guard.check('anna', OFFICE)).toEqual({ locked: true, scope: 'account', retryAfterMs: 5 * MINUTE });
    expect(await guard.check('boris', OFFICE)).toEqual({ locked: false });
    clock.advance(5 * MINUTE);
    expect((await guard.check('anna', OFFICE)).locked).toBe(false);
  });

  it('locks an address after a hundred failures over any logins', async () => {
    const guard = new SignInGuard(new FakeClock('2026-03-02T09:00:00+03:00'));
    for (let index = 0; index < 100; index++) await guard.failed(`user${index}`, OFFICE);
    expect(await guard.check('anna', OFFICE)).toMatchObject({ locked: true, scope: 'address' });
    expect(await guard.check('anna', '198.51.100.1')).toEqual({ locked: false });
  });

  it('counts a try when it lets it through: a right password takes it back, a refused one costs the account nothing', async () => {
    const guard = new SignInGuard(new FakeClock('2026-03-02T09:00:00+03:00'));
    for (let index = 0; index < 99; index++) await guard.failed(`user${index}`, OFFICE);
    const right = await guard.admit('anna', OFFICE);
    expect(right).toMatchObject({ locked: false });
    if (right.locked) return;
    expect(await guard.admit('boris', OFFICE)).toMatchObject({ locked: true, scope: 'address' });
    await guard.succeeded('anna', { address: OFFICE, at: right.at });
    expect(await guard.admit('boris', OFFICE)).toMatchObject({ locked: false });
    expect(await guard.admit('boris', OFFICE)).toMatchObject({ locked: true, scope: 'address' });
    for (let index = 0; index < 9; index++) expect(await guard.admit('boris', '198.51.100.1')).toMatchObject({ locked: false });
    expect(await guard.admit('boris', '198.51.100.1')).toMatchObject({ locked: true, scope: 'account' });
  });
});
