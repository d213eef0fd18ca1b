import { parseDialString } from './dial-string';

describe('parseDialString', () => {
  it.each([
    ['4711', { kind: 'number', number: '4711' }],
    [' 4711 ', { kind: 'number', number: '4711' }],
    ['4711*1234', { kind: 'number', number: '4711', pin: '1234' }],
    ['abcdefghij12', { kind: 'id', id: 'abcdefghij12' }],
    ['ABCDEFGHIJ12', { kind: 'id', id: 'abcdefghij12' }],
    ['abcdefghij12*77', { kind: 'id', id: 'abcdefghij12', pin: '77' }],
    ['Board Room', { kind: 'name', name: 'Board Room' }],
    ['4711*', { kind: 'name', name: '4711*' }],
    ['*1234', { kind: 'name', name: '*1234' }],
    ['4711*12a', { kind: 'name', name: '4711*12a' }],
    ['1abcdefghij2', { kind: 'name', name: '1abcdefghij2' }],
  ])('%j → %j', (dial, expected) => expect(parseDialString(dial)).toEqual(expected));

  it('returns undefined for blank input', () => {
    expect(parseDialString('')).toBeUndefined();
    expect(parseDialString(' \t')).toBeUndefined();
  });
});
