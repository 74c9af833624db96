import { z } from 'zod';
import { LEAD_PIPELINE } from '../server/core/compiled-config';
import type { ItemRef } from '../server/core/items';
import { defineRobot } from './contract';
import { robotActor } from './notifications';

/** Bitrix24's "Change status": moves this item, or its linked lead/deal, through the same transition as a person. */
export const changeStatus = defineRobot({
  type: 'change_status',
  description: 'Move the item (or its linked lead/deal) to a stage, e.g. mark the lead converted once its deal exists',
  params: z.object({
    to: z.string().describe('Target stage id'),
    target: z.enum(['self', 'linked_deal', 'linked_lead']).default('self'),
    reason: z.string().optional().describe('Reason id when `to` is a lost stage (who refused whom comes from it)'),
  }),
  references: (params) => [
    {
      kind: 'stage',
      pipeline: params.target === 'self' ? 'same' : params.target === 'linked_lead' ? LEAD_PIPELINE : '*deal',
      value: params.to,
      path: ['to'],
      reason: { value: params.reason ?? null, path: ['reason'] },
    },
  ],
  async run(context) {
    const { params, item, ports, run } = context;
    let ref: ItemRef = { kind: item.kind, id: item.row.id };
    if (params.target === 'linked_deal') {
      if (item.kind !== 'lead' || !item.row.dealId) return { outcome: 'skipped', detail: 'no linked deal', reason: { code: 'skipped.no_linked_item', params: { kind: 'deal' } } };
      ref = { kind: 'deal', id: item.row.dealId };
    } else if (params.target === 'linked_lead') {
      if (item.kind !== 'deal' || !item.row.leadId) return { outcome: 'skipped', detail: 'no linked lead', reason: { code: 'skipped.no_linked_item', params: { kind: 'lead' } } };
      ref = { kind: 'lead', id: item.row.leadId };
    }
    const result = await ports.move(ref, params.to, { actor: robotActor(context), causalDepth: run.causalDepth + 1, reason: params.reason });
    const moved = { kind: ref.kind, id: ref.id, stage: params.to };
    return result.changed
      ? { outcome: 'done', detail: `moved ${ref.kind} #${ref.id} to "${params.to}"`, reason: { code: 'done.moved', params: moved } }
      : { outcome: 'done', detail: `${ref.kind} #${ref.id} was already in "${params.to}"`, reason: { code: 'done.already_there', params: moved } };
  },
});
