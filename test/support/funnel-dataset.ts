import { DAY, HOUR, type Harness } from './harness';
import { nth } from './lists';

/**
 * The funnel the analytics tests read (leadFunnel lead statuses): four leads from the site, two
 * from a partner; two handed over, one refused each way, two left in work and stuck two days.
 * `bounce` also sends one site lead back to "new" and into work again (counted once as an item).
 */
export async function seedFunnel(harness: Harness, options: { bounce?: boolean } = {}): Promise<void> {
  const lead = async (body: object) => (await harness.as('root').post('/api/leads', body).expect(201)).body.id as number;
  const move = (id: number, body: object) => harness.as('root').post(`/api/leads/${id}/move`, body).expect(200);
  const site: number[] = [];
  for (let index = 0; index < 4; index += 1) site.push(await lead({ name: `Site ${index}`, phone: `+7916100000${index}`, source: 'site', responsible: 'anna', fields: { product: 'p' } }));
  const partner = [
    await lead({ name: 'Partner 0', phone: '+79162000000', source: 'partner', responsible: 'boris', fields: { product: 'p' } }),
    await lead({ name: 'Partner 1', phone: '+79162000001', source: 'partner', responsible: 'boris' }),
  ];
  for (const id of [...site, ...partner]) await move(id, { stage: 'in_work' });
  await harness.advance(2 * HOUR);
  await move(nth(site, 0), { stage: 'handoff_general' });
  await move(nth(partner, 0), { stage: 'handoff_services' });
  await harness.runDue();
  await move(nth(site, 1), { stage: 'junk', reason: 'no_budget' });
  await move(nth(site, 2), { stage: 'junk', reason: 'not_target' });
  if (options.bounce) {
    await move(nth(site, 3), { stage: 'new' });
    await move(nth(site, 3), { stage: 'in_work' });
  }
  await harness.advance(2 * DAY);
}
