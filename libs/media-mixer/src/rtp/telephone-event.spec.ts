import { InvalidArgumentError, PacketFormatError } from '../errors';
import { TelephoneEvent, dtmfDigitOf, dtmfEventOf } from './telephone-event';

describe('TelephoneEvent (RFC 4733 §2.3)', () => {
  it('serializes event, E bit, volume and duration into the 4-octet layout', () => {
    // Digit 1, end, −10 dBm0, 800 units (100 ms at 8 kHz).
    expect(new TelephoneEvent(1, true, 10, 800).serialize()).toEqual(Buffer.from([0x01, 0x8a, 0x03, 0x20]));
    expect(new TelephoneEvent(11, false, 63, 65535).serialize()).toEqual(Buffer.from([0x0b, 0x3f, 0xff, 0xff]));
  });

  it('parses what it serializes, ignoring the reserved R bit', () => {
    const [e] = TelephoneEvent.parse(Buffer.from([0x0b, 0xca, 0x01, 0x40]));
    expect(e).toEqual(expect.objectContaining({ event: 11, end: true, volume: 10, duration: 320 }));
  });

  it('parses several packed blocks in order', () => {
    const blocks = TelephoneEvent.parse(Buffer.from([0x05, 0x80, 0x00, 0xa0, 0x06, 0x0a, 0x00, 0x50]));
    expect(blocks.map((b) => [b.event, b.end, b.duration])).toEqual([
      [5, true, 160],
      [6, false, 80],
    ]);
  });

  it.each([0, 3, 5, 7])('rejects a payload of %i octets', (n) => {
    expect(() => TelephoneEvent.parse(Buffer.alloc(n))).toThrow(PacketFormatError);
  });

  it('rejects fields out of range', () => {
    expect(() => new TelephoneEvent(256, false, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => new TelephoneEvent(1, false, 64, 0)).toThrow(InvalidArgumentError);
    expect(() => new TelephoneEvent(1, false, 0, 65536)).toThrow(InvalidArgumentError);
  });

  it('maps DTMF digits to event codes 0–15 and back (§3.2)', () => {
    const digits = '0123456789*#ABCD';
    for (let i = 0; i < 16; i++) {
      expect(dtmfEventOf(digits[i])).toBe(i);
      expect(dtmfDigitOf(i)).toBe(digits[i]);
    }
    expect(dtmfEventOf('a')).toBe(12);
    expect(dtmfDigitOf(16)).toBeUndefined();
    expect(() => dtmfEventOf('E')).toThrow(InvalidArgumentError);
    expect(() => dtmfEventOf('12')).toThrow(InvalidArgumentError);
  });
});
