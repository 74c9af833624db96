import { split } from '../../../robots/split';
import { chooseVariant } from '../../../server/core/variants';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'greeting_test', type: 'split', variants: { a: { weight: 50, robots: ['greet_short'] }, b: { weight: 50, robots: ['greet_warm'] }, control: { weight: 20, robots: [] } } },
        { id: 'greet_short', type: 'notify', text: 'short' },
        { id: 'greet_warm', type: 'notify', text: 'warm' },
      ],
    },
  },
});

describe('split', () => {
  it('releases the robots of the variant the hash of the item picks, and keeps it for the item', async () => {
    const ports = new FakePorts(config);
    const context = runContext(split, 'greeting_test', ports);
    const expected = chooseVariant({ kind: 'lead', id: context.item.row.id }, 'greeting_test', [
      ['a', 50],
      ['b', 50],
      ['control', 20],
    ]);
    const outcome = await split.run(context);
    expect(outcome).toMatchObject({ outcome: 'done', reason: { code: 'done.variant_chosen', params: { variant: expected } } });
    expect(ports.variants.get(`lead:${context.item.row.id}/greeting_test`)).toBe(expected);
  });

  it('an item that already has a variant keeps it, whatever the hash says now', async () => {
    const ports = new FakePorts(config);
    const context = runContext(split, 'greeting_test', ports);
    ports.variants.set(`lead:${context.item.row.id}/greeting_test`, 'control');
    expect(await split.run(context)).toMatchObject({ detail: 'variant control (no robots)', release: [] });
  });
});
