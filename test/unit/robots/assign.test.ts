import { assign } from '../../../robots/assign';
import { configFromYaml, leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';

const config = leadFunnel({
  robots: {
    leads: { in_work: [{ id: 'assign_sdr', type: 'assign' }], junk: [{ id: 'to_boris', type: 'assign', user: 'boris' }] },
    general: { new: [{ id: 'assign_from_services', type: 'assign', team: 'services', only_if_empty: true }] },
  },
});

describe('assign', () => {
  it('makes the named user responsible, without a pick', async () => {
    const ports = new FakePorts(config);
    const outcome = await assign.run(runContext(assign, 'to_boris', ports, { lead: { id: 8, responsible: 'anna' } }));
    expect(ports.picks).toEqual([]);
    expect(ports.updates.map((update) => update.patch)).toEqual([{ responsible: 'boris' }]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'responsible anna → boris' });
  });

  it('a user who is already responsible is left as is', async () => {
    const ports = new FakePorts(config);
    const outcome = await assign.run(runContext(assign, 'to_boris', ports, { lead: { responsible: 'boris' } }));
    expect(ports.updates).toEqual([]);
    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'already assigned to boris' });
  });

  it('names a user the config does not have, with did-you-mean', () => {
    expect(() => leadFunnel({ robots: { leads: { junk: [{ id: 'to_boris', type: 'assign', user: 'bors' }] } } })).toThrow(/unknown user "bors" \(did you mean "boris"\?\)/);
  });

  it("makes someone from the pipeline's team responsible, one causal step deeper", async () => {
    const ports = new FakePorts(config);

    const outcome = await assign.run(runContext(assign, 'assign_sdr', ports, { lead: { id: 6, responsible: null }, run: { causalDepth: 1 } }));

    expect(ports.picks).toEqual([{ team: 'first_line', pipeline: 'leads', picked: 'anna' }]);
    expect(ports.updates).toEqual([{ ref: { kind: 'lead', id: 6 }, patch: { responsible: 'anna' }, actor: 'robot:assign_sdr', causalDepth: 2 }]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'responsible (none) → anna' });
  });

  it('replaces the responsible and says whom it replaced', async () => {
    const ports = new FakePorts(config, { nextResponsible: 'boris' });

    const outcome = await assign.run(runContext(assign, 'assign_sdr', ports, { lead: { responsible: 'anna' } }));

    expect(ports.updates.map((update) => update.patch)).toEqual([{ responsible: 'boris' }]);
    expect(outcome.detail).toBe('responsible anna → boris');
  });

  it('picks from the team it names, for the pipeline the item is in', async () => {
    const ports = new FakePorts(config, { nextResponsible: 'sveta' });

    const outcome = await assign.run(runContext(assign, 'assign_from_services', ports, { deal: { id: 3, responsible: null } }));

    expect(ports.picks).toEqual([{ team: 'services', pipeline: 'general', picked: 'sveta' }]);
    expect(ports.updates.map((update) => [update.ref, update.patch])).toEqual([[{ kind: 'deal', id: 3 }, { responsible: 'sveta' }]]);
    expect(outcome.detail).toBe('responsible (none) → sveta');
  });

  it('keeps an existing responsible when told to fill only an empty one', async () => {
    const ports = new FakePorts(config);

    const outcome = await assign.run(runContext(assign, 'assign_from_services', ports, { deal: { responsible: 'gena' } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'already assigned to gena' });
    expect(ports.picks).toEqual([]);
    expect(ports.updates).toEqual([]);
  });

  it('skips when the team has nobody to pick', async () => {
    const ports = new FakePorts(config, { nextResponsible: null });

    const outcome = await assign.run(runContext(assign, 'assign_sdr', ports));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'team first_line has no members' });
    expect(ports.updates).toEqual([]);
  });

  it('skips when neither the robot nor the pipeline names a team', async () => {
    const ports = new FakePorts(
      configFromYaml(`
users: [{ login: anna, name: Anna, role: first_line }]
leads:
  stages:
    - id: new
      robots: [{ id: assign_anyone, type: assign }]
`),
    );

    const outcome = await assign.run(runContext(assign, 'assign_anyone', ports));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'no team to pick from' });
    expect(ports.picks).toEqual([]);
  });
});
