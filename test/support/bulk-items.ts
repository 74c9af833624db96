import type { DealRow, LeadRow } from '../../server/core/rows';
import { insertItemRow } from '../../server/records/item-rows';
import type { Runtime } from '../../server/runtime';
import { dealRow, leadRow } from './rows';

/**
 * Thousands of items, fast: rows written through server/records/item-rows.ts (so `search_text`
 * is the app's own) in transactions of 500, with no stage entry and no robots, as an import would
 * leave them. Each row is the factory's defaults with `rowOf(index)` over them; ids come back in order.
 */
export async function insertLeads(runtime: Runtime, count: number, rowOf: (index: number) => Partial<LeadRow>): Promise<number[]> {
  return insertMany(runtime, 'lead', count, (index) => leadRow({ stageEntryId: null, ...rowOf(index) }));
}

export async function insertDeals(runtime: Runtime, count: number, rowOf: (index: number) => Partial<DealRow>): Promise<number[]> {
  return insertMany(runtime, 'deal', count, (index) => dealRow({ stageEntryId: null, ...rowOf(index) }));
}

async function insertMany(runtime: Runtime, kind: 'lead' | 'deal', count: number, rowOf: (index: number) => LeadRow | DealRow): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < count; start += 500) {
    await runtime.store.transaction(async (manager) => {
      for (let index = start; index < Math.min(count, start + 500); index++) {
        const { id: _id, ...row } = rowOf(index);
        const saved = await insertItemRow(manager, kind, row as LeadRow & DealRow);
        ids.push(saved.row.id);
      }
    });
  }
  return ids;
}
