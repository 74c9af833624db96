import { setFields } from '../../../robots/set-fields';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { first } from '../../support/lists';

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'qualify', type: 'set_fields', values: { product: 'Consulting for {{item.name}}', budget: 5000, interest: null } },
        { id: 'copy_name', type: 'set_fields', values: { product: '{{item.name}} ({{responsible.name}})' } },
      ],
    },
  },
});

describe('set_fields', () => {
  it('writes the custom field values, rendering strings against the item, one causal step deeper', async () => {
    const ports = new FakePorts(config);

    const outcome = await setFields.run(runContext(setFields, 'qualify', ports, { lead: { id: 14 }, run: { causalDepth: 1 } }));

    expect(ports.updates).toEqual([
      {
        ref: { kind: 'lead', id: 14 },
        patch: { fields: { product: 'Consulting for Ivan Petrov', budget: 5000, interest: null } },
        actor: 'robot:qualify',
        causalDepth: 2,
      },
    ]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'set product="Consulting for Ivan Petrov", budget=5000, interest=null' });
  });

  it.each([
    ['an ampersand and a quote', "O'Brien & Sons", "O'Brien & Sons (Anna SDR)"],
    ['angle brackets', '<Ivan>', '<Ivan> (Anna SDR)'],
  ])('keeps %s in a value as written (no HTML escaping)', async (_, name, product) => {
    const ports = new FakePorts(config);

    await setFields.run(runContext(setFields, 'copy_name', ports, { lead: { name, responsible: 'anna' } }));

    expect(first(ports.updates).patch).toEqual({ fields: { product } });
  });

  it('works on deals too', async () => {
    const ports = new FakePorts(config);

    await setFields.run(runContext(setFields, 'qualify', ports, { deal: { id: 8, name: 'Olga' } }));

    expect(ports.updates.map((update) => [update.ref, update.patch])).toEqual([[{ kind: 'deal', id: 8 }, { fields: { product: 'Consulting for Olga', budget: 5000, interest: null } }]]);
  });
});
