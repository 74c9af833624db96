import { autoCallback } from '../../../robots/auto-callback';
import type { CallStart } from '../../../robots/contract';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { callRow } from '../../support/rows';
import { first } from '../../support/lists';

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'callback_now', type: 'auto_callback' },
        {
          id: 'callback_custom',
          type: 'auto_callback',
          agents: ['anna', 'team'],
          ring_timeout: 30,
          whisper: 'Hot: {{item.name}}',
          escalate_to: ['manager', 'olya'],
          task_due_in: '1h',
        },
      ],
    },
  },
});

describe('auto_callback', () => {
  it('skips a lead without a phone, calling nobody', async () => {
    const ports = new FakePorts(config);

    const outcome = await autoCallback.run(runContext(autoCallback, 'callback_now', ports, { lead: { phone: null } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'the lead has no phone to call back' });
    expect(ports.callbacks).toEqual([]);
  });

  it('skips a deal without a phone too', async () => {
    const ports = new FakePorts(config);

    const outcome = await autoCallback.run(runContext(autoCallback, 'callback_now', ports, { deal: { phone: null } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'the deal has no phone to call back' });
  });

  it('starts the call chain for the item and run: the responsible first, then the team, the manager told when nobody answers', async () => {
    const ports = new FakePorts(config);
    const context = runContext(autoCallback, 'callback_now', ports, { lead: { id: 4, responsible: 'anna' }, run: { id: 19 } });

    await autoCallback.run(context);

    expect(ports.callbacks).toHaveLength(1);
    const call = first(ports.callbacks);
    expect(call.item).toBe(context.item);
    expect(call.run).toMatchObject({ id: 19, robotId: 'callback_now' });
    expect(call.settings).toMatchObject({
      agents: ['responsible', 'team'],
      ring_timeout: 20,
      whisper: 'Hot lead {{item.name}}. Connecting you now.',
      escalate_to: ['manager'],
      task_due_in: '15m',
    });
  });

  it('passes its own agents, ring timeout, whisper and escalation on', async () => {
    const ports = new FakePorts(config);

    await autoCallback.run(runContext(autoCallback, 'callback_custom', ports));

    expect(first(ports.callbacks).settings).toMatchObject({ agents: ['anna', 'team'], ring_timeout: 30, whisper: 'Hot: {{item.name}}', escalate_to: ['manager', 'olya'], task_due_in: '1h' });
  });

  it.each<[string, CallStart, string]>([
    ["the first agent's phone rings", { kind: 'calling', call: callRow({ id: 7, attempt: 1, agentLogin: 'anna', agentPhone: '+79000000101' }) }, 'calling anna (+79000000101); call 1'],
    ['a retried run finds the call it placed', { kind: 'already', call: callRow({ id: 7, attempt: 2, agentLogin: 'anna' }) }, 'call 2 to anna was already placed'],
    ['no voice provider records the call', { kind: 'recorded', detail: 'recorded in the outbox: call anna' }, 'recorded in the outbox: call anna'],
    ['nobody can be called', { kind: 'nobody', detail: 'no agent with a phone to call; the manager was told and a task created' }, 'no agent with a phone to call; the manager was told and a task created'],
  ])('is done once the chain started: %s', async (_, callback, detail) => {
    const ports = new FakePorts(config, { callback });

    const outcome = await autoCallback.run(runContext(autoCallback, 'callback_now', ports, { lead: { responsible: 'anna' } }));

    expect(outcome).toMatchObject({ outcome: 'done', detail });
  });
});
