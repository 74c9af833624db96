import { isOptOutText } from '../../server/core/opt-outs';

describe('what opts a client out', () => {
  it.each([
    ['STOP', true],
    ['stop.', true],
    ['Стоп!', true],
    ['  unsubscribe  ', true],
    ['STOP\n\nOn Mon, Acme wrote:\n> Hello Ivan, see our prices', true],
    ['Please stop calling me at night, call after 10', false],
    ['Stopped by your office yesterday', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(isOptOutText(text)).toBe(expected);
  });
});
