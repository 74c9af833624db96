import { waitFor } from '../../../robots/wait-for';
import type { NotNowError } from '../../../server/core/quiet-hours';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { FIXTURE_NOW } from '../../support/rows';

const HOUR = 3_600_000;
const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'wait_budget', type: 'wait_for', until: { '>': [{ var: 'fields.budget' }, 0] }, timeout: '3d', on_timeout: 'stop', recheck: '2h' },
        { id: 'wait_reply', type: 'wait_for', until: { '>': [{ var: 'replies_received' }, 0] }, timeout: '1d' },
      ],
    },
  },
});

describe('wait_for', () => {
  it('resolves as soon as the condition holds', async () => {
    const outcome = await waitFor.run(runContext(waitFor, 'wait_budget', new FakePorts(config), { lead: { fields: { budget: 5000 } } }));
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'the condition holds' });
  });

  it('otherwise asks to be looked at again at the recheck, never past the timeout', async () => {
    const entered = FIXTURE_NOW - HOUR;
    const waiting = runContext(waitFor, 'wait_budget', new FakePorts(config), { lead: { enteredStageAt: entered } });
    await expect(waitFor.run(waiting)).rejects.toMatchObject({ name: 'NotNowError', until: FIXTURE_NOW + 2 * HOUR });
    const nearTheEnd = runContext(waitFor, 'wait_budget', new FakePorts(config), { lead: { enteredStageAt: FIXTURE_NOW - 72 * HOUR + 30 * 60_000 } });
    const error = (await waitFor.run(nearTheEnd).catch((caught: unknown) => caught)) as NotNowError;
    expect(error.until).toBe(FIXTURE_NOW + 30 * 60_000);
  });

  it('at the timeout, `stop` cancels the robots after it and `continue` lets them run', async () => {
    const late = { lead: { enteredStageAt: FIXTURE_NOW - 73 * HOUR } };
    expect(await waitFor.run(runContext(waitFor, 'wait_budget', new FakePorts(config), late))).toMatchObject({ outcome: 'cancelled', detail: 'timed out after 3d; the robots after it do not run' });
    expect(await waitFor.run(runContext(waitFor, 'wait_reply', new FakePorts(config), late))).toMatchObject({ outcome: 'done', detail: 'timed out after 1d; the robots after it run anyway' });
  });
});
