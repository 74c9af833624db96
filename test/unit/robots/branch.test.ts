import { branch } from '../../../robots/branch';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        {
          id: 'by_product',
          type: 'branch',
          when: [
            { condition: { '==': [{ var: 'fields.product' }, 'audit'] }, robots: ['audit_alert'] },
            { condition: { '!!': [{ var: 'fields.product' }] }, robots: ['other_alert', 'other_task'] },
          ],
          else: ['ask_product'],
        },
        { id: 'audit_alert', type: 'notify', text: 'audit' },
        { id: 'other_alert', type: 'notify', text: 'other' },
        { id: 'other_task', type: 'create_task', title: 'Call' },
        { id: 'ask_product', type: 'notify', text: 'ask' },
      ],
    },
  },
});

describe('branch', () => {
  it('releases the robots of the first block whose condition holds', async () => {
    const first = await branch.run(runContext(branch, 'by_product', new FakePorts(config), { lead: { fields: { product: 'audit' } } }));
    expect(first).toMatchObject({ outcome: 'done', detail: 'block 1 matched (audit_alert)', release: ['audit_alert'] });
    const second = await branch.run(runContext(branch, 'by_product', new FakePorts(config), { lead: { fields: { product: 'crm' } } }));
    expect(second).toMatchObject({ outcome: 'done', detail: 'block 2 matched (other_alert, other_task)', release: ['other_alert', 'other_task'] });
  });

  it('runs the else robots when no block matches', async () => {
    const outcome = await branch.run(runContext(branch, 'by_product', new FakePorts(config), { lead: { fields: {} } }));
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'no block matched: else (ask_product)', release: ['ask_product'] });
  });
});
