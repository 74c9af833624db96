import { createOnBasis } from '../../../robots/create-on-basis';
import { InvalidRequestError } from '../../../server/core/errors';
import { configFromYaml, leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { contactRow, dealRow } from '../../support/rows';
import { first } from '../../support/lists';

/** The lesson's hand-off, with the direction chosen by a field instead of one status per direction. */
const BY_FIELD = `
timezone: Europe/Moscow
users:
  - { login: anna, name: Anna SDR, role: first_line, team: first_line }
  - { login: gena, name: Gena General, role: sales, team: general }
  - { login: semen, name: Semen Services, role: sales, team: services }
teams:
  first_line: { members: [anna] }
  general: { members: [gena] }
  services: { members: [semen] }
fields:
  interest: { type: enum, values: [goods, services, other] }
leads:
  team: first_line
  stages:
    - id: new
    - id: handoff
      robots:
        - { id: deal_by_interest, type: create_on_basis, pipeline_by_field: { field: interest, map: { goods: general, services: services } } }
        - { id: deal_by_interest_or_general, type: create_on_basis, pipeline: general, pipeline_by_field: { field: interest, map: { services: services } } }
    - id: converted
      semantic: won
deals:
  general: { team: general, stages: [{ id: new }, { id: won, semantic: won }] }
  services: { team: services, stages: [{ id: new }, { id: offer }, { id: won, semantic: won }] }
`;

describe('create_on_basis', () => {
  it("turns the lead into a contact, a company and a deal in the pipeline, responsible picked from the pipeline's team", async () => {
    const ports = new FakePorts(leadFunnel());
    const context = runContext(createOnBasis, 'deal_general', ports, {
      lead: { id: 42, name: 'Ivan Petrov', companyName: 'Romashka LLC', fields: { product: 'Chairs' } },
    });

    const outcome = await createOnBasis.run(context);

    expect(ports.conversions).toHaveLength(1);
    expect(first(ports.conversions).plan).toEqual({ pipeline: 'general', stage: undefined, team: 'general', actor: 'robot:deal_general' });
    expect(ports.picks).toEqual([{ team: 'general', pipeline: 'general', picked: 'gena' }]);
    const deal = first(ports.deals);
    expect(deal).toMatchObject({ pipeline: 'general', stage: 'new', leadId: 42, responsible: 'gena', title: 'Ivan Petrov', fields: { product: 'Chairs' } });
    const contact = first(ports.contacts);
    const company = first(ports.companies);
    expect(company.name).toBe('Romashka LLC');
    expect(outcome).toEqual({
      outcome: 'done',
      detail: `created deal #${deal.id} in "general", responsible gena; contact #${contact.id} created, company #${company.id}`,
      reason: { code: 'done.deal_created', params: { deal_id: deal.id, pipeline: 'general', responsible: 'gena', contact_id: contact.id, contact_created: true } },
    });
  });

  it('links the lead to the contact we already know instead of creating a second one', async () => {
    const known = contactRow({ id: 5, phone: '+79161234567' });
    const ports = new FakePorts(leadFunnel(), { contacts: [known] });

    const outcome = await createOnBasis.run(runContext(createOnBasis, 'deal_services', ports, { lead: { phone: '+79161234567' } }));

    expect(ports.contacts).toEqual([known]);
    expect(ports.deals[0]).toMatchObject({ pipeline: 'services', contactId: 5, responsible: 'semen' });
    expect(outcome.detail).toMatch(/contact #5 found$/);
  });

  it('creates nothing when run again: a retry finds the deal it made', async () => {
    const ports = new FakePorts(leadFunnel());
    const context = runContext(createOnBasis, 'deal_general', ports, { lead: { id: 7 } });

    await createOnBasis.run(context);
    const again = await createOnBasis.run(context);

    expect(ports.deals).toHaveLength(1);
    expect(ports.contacts).toHaveLength(1);
    expect(again).toMatchObject({ outcome: 'done', detail: `deal #${first(ports.deals).id} in "general" already exists for this lead` });
  });

  it('finds a deal made for the lead before and says so', async () => {
    const ports = new FakePorts(leadFunnel(), { deals: [dealRow({ id: 77, pipeline: 'services', leadId: 1 })] });

    const outcome = await createOnBasis.run(runContext(createOnBasis, 'deal_services', ports, { lead: { id: 1 } }));

    expect(outcome).toMatchObject({ outcome: 'done', detail: 'deal #77 in "services" already exists for this lead' });
    expect(ports.picks).toEqual([]);
  });

  it('still creates the deal when the team has nobody to make responsible', async () => {
    const ports = new FakePorts(leadFunnel(), { nextResponsible: null });

    const outcome = await createOnBasis.run(runContext(createOnBasis, 'deal_general', ports));

    expect(first(ports.deals).responsible).toBeNull();
    expect(outcome.detail).toMatch(/^created deal #\d+ in "general", no responsible \(team general has no members\); contact #\d+ created$/);
  });

  it('uses its own team and first stage when it names them', async () => {
    const config = leadFunnel({ robots: { leads: { in_work: [{ id: 'deal_services_offer', type: 'create_on_basis', pipeline: 'services', stage: 'offer', team: 'general' }] } } });
    const ports = new FakePorts(config);

    await createOnBasis.run(runContext(createOnBasis, 'deal_services_offer', ports));

    expect(first(ports.conversions).plan).toMatchObject({ pipeline: 'services', stage: 'offer', team: 'general' });
    expect(ports.deals[0]).toMatchObject({ pipeline: 'services', stage: 'offer', responsible: 'gena' });
  });

  it.each([
    ['goods', 'deal_by_interest', 'general', 'gena'],
    ['services', 'deal_by_interest', 'services', 'semen'],
    ['services', 'deal_by_interest_or_general', 'services', 'semen'],
    ['goods', 'deal_by_interest_or_general', 'general', 'gena'],
    [undefined, 'deal_by_interest_or_general', 'general', 'gena'],
  ])("picks the pipeline from the lead's direction field (interest = %s, robot %s → %s)", async (interest, robotId, pipeline, responsible) => {
    const ports = new FakePorts(configFromYaml(BY_FIELD));

    await createOnBasis.run(runContext(createOnBasis, robotId, ports, { lead: { fields: interest === undefined ? {} : { interest } } }));

    expect(first(ports.conversions).plan).toMatchObject({ pipeline, team: pipeline });
    expect(ports.deals[0]).toMatchObject({ pipeline, responsible });
  });

  it('fails the run for good when the direction field maps to no pipeline and none is written', async () => {
    const ports = new FakePorts(configFromYaml(BY_FIELD));

    const run = createOnBasis.run(runContext(createOnBasis, 'deal_by_interest', ports, { lead: { fields: { interest: 'other' } } }));

    await expect(run).rejects.toThrow(InvalidRequestError);
    await expect(run).rejects.toThrow('no deal pipeline for interest = "other"');
    expect(ports.conversions).toEqual([]);
  });

  it.each(['constructor', 'toString', '__proto__'])('a direction value named like an object member ("%s") maps to no pipeline', async (interest) => {
    const ports = new FakePorts(configFromYaml(BY_FIELD));

    const run = createOnBasis.run(runContext(createOnBasis, 'deal_by_interest', ports, { lead: { fields: { interest } } }));

    await expect(run).rejects.toThrow(InvalidRequestError);
    expect(ports.conversions).toEqual([]);
  });

  it('does nothing on a deal', async () => {
    const ports = new FakePorts(leadFunnel());

    const outcome = await createOnBasis.run(runContext(createOnBasis, 'deal_general', ports, { deal: { pipeline: 'general' } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'create_on_basis works on leads' });
    expect(ports.conversions).toEqual([]);
  });
});
