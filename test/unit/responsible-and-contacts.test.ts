import { companyKey, isPhoneWritten, normalizeEmail, normalizePhone } from '../../server/core/contact-keys';
import { pickLeastOpen, pickRoundRobin } from '../../server/core/responsible';

describe('pickRoundRobin', () => {
  const team = ['gleb', 'galina', 'georgy'];

  it.each([
    ['nobody has been assigned yet', null, 'gleb'],
    ['gleb got the last one', 'gleb', 'galina'],
    ['galina got the last one', 'galina', 'georgy'],
    ['the last member got the last one (wraps around)', 'georgy', 'gleb'],
    ['the last one went to someone who has left the team', 'fired', 'gleb'],
  ])('when %s, picks the next in turn', (_, last, expected) => {
    expect(pickRoundRobin(team, last)).toBe(expected);
  });

  it('deals items in turn over a run of assignments', () => {
    const picked: string[] = [];
    let last: string | null = null;
    for (let index = 0; index < 5; index += 1) {
      last = pickRoundRobin(team, last);
      picked.push(last as string);
    }
    expect(picked).toEqual(['gleb', 'galina', 'georgy', 'gleb', 'galina']);
  });

  it('picks nobody from an empty team', () => {
    expect(pickRoundRobin([], 'gleb')).toBeNull();
  });
});

describe('pickLeastOpen', () => {
  it('picks whoever has the fewest open items', () => {
    expect(
      pickLeastOpen(
        ['semyon', 'svetlana', 'stepan'],
        new Map([
          ['semyon', 4],
          ['svetlana', 1],
          ['stepan', 2],
        ]),
      ),
    ).toBe('svetlana');
  });

  it('counts a member with no open items (absent from the counts) as zero', () => {
    expect(pickLeastOpen(['semyon', 'svetlana'], new Map([['semyon', 3]]))).toBe('svetlana');
  });

  it('breaks ties by the order the team lists its members', () => {
    expect(
      pickLeastOpen(
        ['semyon', 'svetlana'],
        new Map([
          ['semyon', 2],
          ['svetlana', 2],
        ]),
      ),
    ).toBe('semyon');
    expect(pickLeastOpen(['svetlana', 'semyon'], new Map())).toBe('svetlana');
  });

  it('picks nobody from an empty team', () => {
    expect(pickLeastOpen([], new Map([['semyon', 0]]))).toBeNull();
  });
});

describe('normalizePhone', () => {
  it.each([
    ['8 (916) 123-45-67', 'RU', '+79161234567'],
    ['+7 916 123 45 67', 'RU', '+79161234567'],
    ['9161234567', 'RU', '+79161234567'],
    ['8 (916) 123-45-67', 'ru', '+79161234567'],
    ['+1 212 555 0100', 'RU', '+12125550100'],
    ['(212) 555-0100', 'US', '+12125550100'],
    ['  +44 20 7946 0958  ', 'RU', '+442079460958'],
  ])('reads %j (region %s) as %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toBe(expected);
  });

  it('gives the same key for the same number written two ways, so a repeat client is found', () => {
    expect(normalizePhone('8 916 123-45-67', 'RU')).toBe(normalizePhone('+7(916)1234567', 'RU'));
  });

  it.each([
    ['garbage', 'RU'],
    ['call me maybe', 'RU'],
    ['123', 'RU'],
    ['', 'RU'],
    ['   ', 'RU'],
    [null, 'RU'],
    [undefined, 'RU'],
  ])('gives no phone for %j', (raw, region) => {
    expect(normalizePhone(raw, region)).toBeNull();
  });

  it('tells a written phone from an empty one', () => {
    expect(isPhoneWritten('garbage')).toBe(true);
    expect(isPhoneWritten('  ')).toBe(false);
    expect(isPhoneWritten(null)).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it.each([
    [' Anna@Example.RU ', 'anna@example.ru'],
    ['anna@example.ru', 'anna@example.ru'],
    ['', null],
    ['   ', null],
    [null, null],
    [undefined, null],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });
});

describe('companyKey', () => {
  it.each([
    ['Acme', 'acme'],
    ['  ACME   Corp  ', 'acme corp'],
    ['Acme\tCorp\nLtd', 'acme corp ltd'],
    ['ООО  «Ромашка»', 'ооо «ромашка»'],
  ])('%j → %j', (name, expected) => {
    expect(companyKey(name)).toBe(expected);
  });

  it('makes differently spaced and cased names the same company', () => {
    expect(companyKey('Acme Corp')).toBe(companyKey(' acme  CORP'));
  });
});
