import { loadConfigText } from '../../config/loader';
import type { CompiledConfig } from '../../server/core/compiled-config';
import type { DealRow, LeadRow } from '../../server/db/entities';
import { MoveRefusedError } from '../../server/core/errors';
import { asItem } from '../../server/core/items';
import { planMove, type MoveOptions } from '../../server/core/plan-move';

const CONFIG = `
engine:
  max_causal_depth: 3
fields:
  product: { type: string }
leads:
  stages:
    - id: new
    - id: handoff
      required: [name, phone, product]
    - id: converted
      semantic: won
    - id: junk
      semantic: lost
      reasons:
        - { id: no_budget, refused_by: client_refused }
        - { id: spam, refused_by: we_refused }
deals:
  general:
    stages:
      - id: new
      - id: offer
        required: [amount]
      - id: lost
        semantic: lost
        reasons:
          - { id: price, refused_by: client_refused }
`;

function compile(text: string): CompiledConfig {
  const result = loadConfigText(text, 'robots.yaml');
  if (!result.ok) throw new Error(`test config does not load:\n${JSON.stringify(result.issues, null, 2)}`);
  return result.config;
}

const config = compile(CONFIG);

function leadRow(overrides: Partial<LeadRow> = {}): LeadRow {
  return {
    id: 1,
    title: null,
    name: null,
    phone: null,
    email: null,
    companyName: null,
    stage: 'new',
    stageEntryId: 10,
    enteredStageAt: 0,
    source: null,
    responsible: null,
    fields: {},
    contactId: null,
    companyId: null,
    lostReason: null,
    refusedBy: null,
    score: 0,
    tags: [],
    scoredAt: null,
    createdAt: 0,
    updatedAt: 0,
    repeatClient: false,
    dealId: null,
    ...overrides,
  };
}

function dealRow(overrides: Partial<DealRow> = {}): DealRow {
  const { repeatClient: _repeat, dealId: _deal, ...base } = leadRow();
  return { ...base, pipeline: 'general', leadId: null, amount: null, ...overrides };
}

const lead = (overrides: Partial<LeadRow> = {}) => asItem('lead', leadRow(overrides));
const deal = (overrides: Partial<DealRow> = {}) => asItem('deal', dealRow(overrides));
const byAnna: MoveOptions = { actor: 'anna' };

/** The refusal a move gets, or a failure when it is allowed. */
function refusal(move: () => unknown): MoveRefusedError {
  try {
    move();
  } catch (error) {
    expect(error).toBeInstanceOf(MoveRefusedError);
    return error as MoveRefusedError;
  }
  throw new Error('the move was allowed');
}

describe('planMove', () => {
  describe('when the stage does not exist', () => {
    it('refuses a lead and lists the lead statuses', () => {
      const error = refusal(() => planMove(config, lead(), 'convertd', byAnna));
      expect(error.details.code).toBe('unknown_stage');
      expect(error.message).toBe('unknown stage "convertd" in lead statuses (known: new, handoff, converted, junk)');
    });

    it("refuses a deal and names the deal's pipeline", () => {
      const error = refusal(() => planMove(config, deal(), 'handoff', byAnna));
      expect(error.details.code).toBe('unknown_stage');
      expect(error.message).toContain('pipeline "general"');
      expect(error.message).toContain('known: new, offer, lost');
    });

    it('refuses a deal whose pipeline is no longer in the config', () => {
      expect(refusal(() => planMove(config, deal({ pipeline: 'retired' }), 'new', byAnna)).details.code).toBe('unknown_stage');
    });
  });

  describe('when the stage requires fields', () => {
    it('refuses and names every missing field', () => {
      const error = refusal(() => planMove(config, lead({ name: 'Иван' }), 'handoff', byAnna));
      expect(error.details).toEqual({ code: 'required_fields', missingFields: ['phone', 'product'] });
      expect(error.message).toBe('stage "handoff" requires phone, product');
    });

    it('counts blank text and empty lists as missing', () => {
      const error = refusal(() => planMove(config, lead({ name: '   ', phone: '+79161234567', fields: { product: [] } }), 'handoff', byAnna));
      expect(error.details.missingFields).toEqual(['name', 'product']);
    });

    it('lets the item in once standard and custom fields are filled', () => {
      const plan = planMove(config, lead({ name: 'Иван', phone: '+79161234567', fields: { product: 'sofa' } }), 'handoff', byAnna);
      expect(plan).toMatchObject({ reason: null, refusedBy: null });
      expect(plan.stage.id).toBe('handoff');
    });

    it('reads standard columns of deals too (amount)', () => {
      expect(refusal(() => planMove(config, deal(), 'offer', byAnna)).details.missingFields).toEqual(['amount']);
      expect(planMove(config, deal({ amount: 0 }), 'offer', byAnna).stage.id).toBe('offer');
    });
  });

  describe('when the stage is lost', () => {
    it('refuses a move without a reason and lists the allowed ones', () => {
      const error = refusal(() => planMove(config, lead(), 'junk', byAnna));
      expect(error.details).toEqual({ code: 'reason_required', allowedReasons: ['no_budget', 'spam'] });
      expect(error.message).toBe('stage "junk" needs a reason');
    });

    it("refuses a reason that is not this stage's", () => {
      const error = refusal(() => planMove(config, lead(), 'junk', { actor: 'anna', reason: 'price' }));
      expect(error.details.code).toBe('reason_required');
      expect(error.message).toBe('"price" is not a reason allowed in stage "junk"');
    });

    it.each([
      ['no_budget', 'client_refused'],
      ['spam', 'we_refused'],
    ])('records reason %s with refused_by %s taken from the reason', (reason, refusedBy) => {
      expect(planMove(config, lead(), 'junk', { actor: 'anna', reason })).toMatchObject({ reason, refusedBy });
    });

    it('accepts a refused_by that agrees with the reason', () => {
      expect(planMove(config, lead(), 'junk', { actor: 'anna', reason: 'spam', refusedBy: 'we_refused' }).refusedBy).toBe('we_refused');
    });

    it('refuses a refused_by that contradicts the reason', () => {
      const error = refusal(() => planMove(config, lead(), 'junk', { actor: 'anna', reason: 'spam', refusedBy: 'client_refused' }));
      expect(error.details.code).toBe('refused_by_mismatch');
      expect(error.message).toBe('reason "spam" means we_refused, not client_refused');
    });

    it('applies to deal pipelines with their own reasons', () => {
      expect(refusal(() => planMove(config, deal(), 'lost', { actor: 'gleb', reason: 'spam' })).details.allowedReasons).toEqual(['price']);
      expect(planMove(config, deal(), 'lost', { actor: 'gleb', reason: 'price' })).toMatchObject({ reason: 'price', refusedBy: 'client_refused' });
    });
  });

  it('keeps a reason given for an open stage but records no refused_by', () => {
    expect(planMove(config, lead(), 'converted', { actor: 'anna', reason: 'signed', refusedBy: 'we_refused' })).toMatchObject({ reason: 'signed', refusedBy: null });
  });

  describe('loop guard', () => {
    it.each([0, 1, 3])('allows a chain of %i robot-caused moves (engine.max_causal_depth is 3)', (causalDepth) => {
      expect(planMove(config, lead(), 'converted', { actor: 'robot:x', causalDepth }).stage.id).toBe('converted');
    });

    it('refuses the move that would exceed engine.max_causal_depth', () => {
      const error = refusal(() => planMove(config, lead(), 'converted', { actor: 'robot:x', causalDepth: 4 }));
      expect(error.details.code).toBe('loop_guard');
      expect(error.message).toContain('engine.max_causal_depth (3)');
    });

    it('uses the default depth of 8 when the config does not set one', () => {
      const defaults = compile('leads:\n  stages:\n    - id: new\n    - id: next\n');
      expect(planMove(defaults, lead(), 'next', { actor: 'robot:x', causalDepth: 8 }).stage.id).toBe('next');
      expect(refusal(() => planMove(defaults, lead(), 'next', { actor: 'robot:x', causalDepth: 9 })).details.code).toBe('loop_guard');
    });
  });
});

describe("planMove: a stage's guard rails against moves by hand", () => {
  const guarded = compile(`
leads:
  stages:
    - id: new
      robots:
        - { id: welcome, type: notify, to: [responsible], text: "hi" }
    - id: qualified
      move_roles: [manager, ops, admin]
    - id: handoff
    - id: converted
      semantic: won
      manual: false
    - id: signed
      semantic: won
      reopen_roles: [manager]
    - id: quiet
      on_reenter: skip
      robots:
        - { id: quiet_alert, type: notify, to: [responsible], text: "back" }
`);
  const person = (role: string, login = 'anna'): Pick<MoveOptions, 'mover'> => ({ mover: { login, role } });

  it.each(['first_line', 'manager', 'ops', 'admin'])('refuses %s moving a lead into a stage only robots enter (manual: false)', (role) => {
    const error = refusal(() => planMove(guarded, lead({ name: 'Иван' }), 'converted', { actor: 'user:anna', ...person(role) }));
    expect(error.details.code).toBe('manual_not_allowed');
    expect(error.message).toBe('stage "converted" is entered by robots only (manual: false); anna may not move an item there by hand');
  });

  it('lets the robots and triggers move into it (no person moving)', () => {
    expect(planMove(guarded, lead({ stage: 'handoff' }), 'converted', { actor: 'robot:convert_after_handoff', causalDepth: 1 }).stage.id).toBe('converted');
    expect(planMove(guarded, lead({ stage: 'handoff' }), 'converted', { actor: 'trigger:paid' }).stage.id).toBe('converted');
  });

  it.each([
    ['first_line', false],
    ['sales', false],
    ['manager', true],
    ['ops', true],
  ])('move_roles: the %s role moving by hand is let in → %s', (role, allowed) => {
    const move = () => planMove(guarded, lead(), 'qualified', { actor: 'user:anna', ...person(role) });
    if (allowed) expect(move().stage.id).toBe('qualified');
    else expect(refusal(move).details.code).toBe('role_not_allowed');
  });

  describe('moving a won item back out by hand', () => {
    it('is refused to first-line staff, even with a comment', () => {
      const error = refusal(() => planMove(guarded, lead({ stage: 'converted' }), 'new', { actor: 'user:anna', comment: 'клиент передумал', ...person('first_line') }));
      expect(error.details.code).toBe('reopen_not_allowed');
      expect(error.message).toBe('"converted" is won: only ops, admin may move an item back out of it, not the first_line role');
    });

    it('needs a comment saying why from ops', () => {
      expect(refusal(() => planMove(guarded, lead({ stage: 'converted' }), 'new', { actor: 'user:olga', ...person('ops', 'olga') })).details.code).toBe('reopen_comment_required');
      expect(refusal(() => planMove(guarded, lead({ stage: 'converted' }), 'new', { actor: 'user:olga', comment: '  ', ...person('ops', 'olga') })).details.code).toBe('reopen_comment_required');
      expect(planMove(guarded, lead({ stage: 'converted' }), 'new', { actor: 'user:olga', comment: 'сделка сорвалась, работаем заново', ...person('ops', 'olga') }).stage.id).toBe('new');
    });

    it('follows the stage’s reopen_roles when it names them', () => {
      expect(planMove(guarded, lead({ stage: 'signed' }), 'new', { actor: 'user:gm', comment: 'ошибка', ...person('manager', 'gm') }).stage.id).toBe('new');
      expect(refusal(() => planMove(guarded, lead({ stage: 'signed' }), 'new', { actor: 'user:olga', comment: 'ошибка', ...person('ops', 'olga') })).details.code).toBe('reopen_not_allowed');
    });

    it('is the robots’ own business when a robot moves it', () => {
      expect(planMove(guarded, lead({ stage: 'converted' }), 'new', { actor: 'robot:reopen' }).stage.id).toBe('new');
    });
  });

  describe('re-entering a stage', () => {
    it('schedules the robots again by default (on_reenter: run)', () => {
      expect(planMove(guarded, lead({ stage: 'handoff' }), 'new', { actor: 'robot:x', reentry: true }).robots.map((robot) => robot.id)).toEqual(['welcome']);
    });

    it('schedules none with on_reenter: skip, and all on the first entry', () => {
      expect(planMove(guarded, lead(), 'quiet', { actor: 'robot:x', reentry: true }).robots).toEqual([]);
      expect(planMove(guarded, lead(), 'quiet', { actor: 'robot:x', reentry: false }).robots.map((robot) => robot.id)).toEqual(['quiet_alert']);
    });
  });
});
