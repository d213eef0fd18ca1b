import { MAX_PIN_DIGITS, PinEntry } from './h323-pin-entry';

describe('PinEntry', () => {
  it.each([
    [['1', '2', '3', '#'], ['123']],
    [['12', '34#'], ['1234']],
    [['9', '*', '1', '#', '2', '#'], ['1', '2']],
    [['#'], ['']],
    [['1', 'A', 'x', '2', '#'], ['12']],
    [['1', '2'], []],
  ])('%j → %j', (inputs, expected) => {
    const entry = new PinEntry();
    expect(inputs.flatMap((i) => entry.feed(i))).toEqual(expected);
  });

  it('turns an over-long PIN into one that never matches, then starts over', () => {
    const entry = new PinEntry();
    expect(entry.feed(`${'1'.repeat(MAX_PIN_DIGITS + 5)}#`)).toEqual(['']);
    expect(entry.feed('42#')).toEqual(['42']);
  });
});
