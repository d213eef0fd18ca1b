import type { Room } from '../conference/room';
import { RoomAliases } from './room-aliases';

const room = (id: string, number: string): Room => ({
  id,
  name: `Room ${id}`,
  number,
  maxParticipants: 50,
  locked: false,
  lobby: false,
  layout: 'auto',
  selfView: false,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('RoomAliases', () => {
  it('holds each room as its number (dialedDigits) and id (h323-ID), and says when something changed', () => {
    const warnings: object[] = [];
    const aliases = new RoomAliases({ warn: (obj) => warnings.push(obj) });
    expect(aliases.set(room('aaaaaaaaaaaa', '7100'))).toBe(true);
    expect(aliases.set(room('bbbbbbbbbbbb', '7200'))).toBe(true);
    expect(aliases.set(room('aaaaaaaaaaaa', '7100'))).toBe(false);
    expect(aliases.all()).toEqual([
      { tag: 'dialedDigits', value: '7100' },
      { tag: 'h323-ID', value: 'aaaaaaaaaaaa' },
      { tag: 'dialedDigits', value: '7200' },
      { tag: 'h323-ID', value: 'bbbbbbbbbbbb' },
    ]);
    expect(aliases.set(room('aaaaaaaaaaaa', '7101'))).toBe(true);
    expect(aliases.delete('bbbbbbbbbbbb')).toBe(true);
    expect(aliases.delete('bbbbbbbbbbbb')).toBe(false);
    expect(aliases.all()).toEqual([
      { tag: 'dialedDigits', value: '7101' },
      { tag: 'h323-ID', value: 'aaaaaaaaaaaa' },
    ]);
    expect(aliases.size).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('leaves out a number RAS cannot carry as dialedDigits, with a log line', () => {
    const warnings: object[] = [];
    const aliases = new RoomAliases({ warn: (obj) => warnings.push(obj) });
    aliases.set(room('cccccccccccc', '12a'));
    expect(aliases.all()).toEqual([{ tag: 'h323-ID', value: 'cccccccccccc' }]);
    expect(warnings).toHaveLength(1);
  });
});
