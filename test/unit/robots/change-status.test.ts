import { changeStatus } from '../../../robots/change-status';
import { MoveRefusedError } from '../../../server/core/errors';
import { leadFunnel, type RobotYaml } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';

const EXTRA: Record<string, Record<string, RobotYaml[]>> = {
  leads: {
    in_work: [{ id: 'refuse_not_target', type: 'change_status', to: 'junk', reason: 'not_target' }],
    converted: [{ id: 'deal_to_offer', type: 'change_status', target: 'linked_deal', to: 'offer' }],
  },
  general: { won: [{ id: 'lead_to_converted', type: 'change_status', target: 'linked_lead', to: 'converted' }] },
};

describe('change_status', () => {
  const config = leadFunnel({ robots: EXTRA });

  it('moves the lead through the same transition as a person, one causal step deeper than what caused it', async () => {
    const ports = new FakePorts(config);

    const outcome = await changeStatus.run(runContext(changeStatus, 'converted_general', ports, { lead: { id: 12 }, run: { causalDepth: 2 } }));

    expect(ports.moves).toEqual([{ ref: { kind: 'lead', id: 12 }, stage: 'converted', options: { actor: 'robot:converted_general', causalDepth: 3, reason: undefined } }]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'moved lead #12 to "converted"' });
  });

  it('leaves an item already in the stage where it is, and says so', async () => {
    const ports = new FakePorts(config);
    ports.placeItem({ kind: 'lead', id: 12 }, 'converted');

    const outcome = await changeStatus.run(runContext(changeStatus, 'converted_general', ports, { lead: { id: 12 } }));

    expect(outcome).toMatchObject({ outcome: 'done', detail: 'lead #12 was already in "converted"' });
  });

  it('gives the lost reason with the move, so the refusal says who refused whom', async () => {
    const ports = new FakePorts(config);

    await changeStatus.run(runContext(changeStatus, 'refuse_not_target', ports));

    expect(ports.moves[0]).toMatchObject({ stage: 'junk', options: { reason: 'not_target', actor: 'robot:refuse_not_target' } });
  });

  it.each([
    ['moves the deal made from the lead', 'deal_to_offer', { lead: { id: 3, dealId: 70 } }, { kind: 'deal', id: 70 }, 'moved deal #70 to "offer"'],
    ['moves the lead the deal was made from', 'lead_to_converted', { deal: { id: 70, pipeline: 'general', leadId: 3 } }, { kind: 'lead', id: 3 }, 'moved lead #3 to "converted"'],
  ])('%s (%s)', async (_, robotId, setup, ref, detail) => {
    const ports = new FakePorts(config);

    const outcome = await changeStatus.run(runContext(changeStatus, robotId, ports, setup));

    expect(ports.moves.map((move) => move.ref)).toEqual([ref]);
    expect(outcome).toMatchObject({ outcome: 'done', detail });
  });

  it.each([
    ['a lead with no deal yet', 'deal_to_offer', { lead: { dealId: null } }, 'no linked deal'],
    ['a deal (it has no linked deal of its own)', 'deal_to_offer', { deal: { pipeline: 'general' } }, 'no linked deal'],
    ['a deal made by hand, without a lead', 'lead_to_converted', { deal: { pipeline: 'general', leadId: null } }, 'no linked lead'],
    ['a lead (it has no linked lead of its own)', 'lead_to_converted', { lead: {} }, 'no linked lead'],
  ])('skips %s when told to move the linked item', async (_, robotId, setup, detail) => {
    const ports = new FakePorts(config);

    const outcome = await changeStatus.run(runContext(changeStatus, robotId, ports, setup));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail });
    expect(ports.moves).toEqual([]);
  });

  it('fails the run with the refusal when the pipeline refuses the move', async () => {
    const ports = new FakePorts(config);
    ports.moveError = new MoveRefusedError('missing required fields: product', { code: 'required_fields', missingFields: ['product'] });

    await expect(changeStatus.run(runContext(changeStatus, 'converted_general', ports))).rejects.toThrow(MoveRefusedError);
  });
});
