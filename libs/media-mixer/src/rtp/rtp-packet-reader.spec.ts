import { RtpHeader, RtpPacket } from 'werift-rtp';
import { PacketFormatError } from '../errors';
import { isRtcpDatagram, readRtpPacket } from './rtp-packet-reader';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('readRtpPacket (RFC 3550 §5.1)', () => {
  it('reads the fixed header fields and the payload (golden bytes)', () => {
    // V=2, M=1, PT=0, seq 0x1234, ts 0xdeadbeef, SSRC 0x01020304, payload ff ff
    const p = readRtpPacket(hex('80 80 1234 deadbeef 01020304 ffff'));
    expect(p.header).toMatchObject({ marker: true, payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304 });
    expect(p.payload.toString('hex')).toBe('ffff');
  });

  it('skips CSRCs, a header extension and padding', () => {
    // CC=1, X=1, P=1: CSRC 0a0b0c0d, extension profile bede length 1 word, payload 0102, 2 octets padding
    const p = readRtpPacket(hex('b1 08 0001 00000010 00000001 0a0b0c0d bede0001 10ff0000 0102 0002'));
    expect(p.header.csrc).toEqual([0x0a0b0c0d]);
    expect(p.header.payloadType).toBe(8);
    expect(p.payload.toString('hex')).toBe('0102');
  });

  it('finds the payload after a one-byte extension ending with ID 15', () => {
    const p = readRtpPacket(hex('90 00 0001 00000000 00000001 bede0002 10aaf000 00000000 7777'));
    expect(p.payload.toString('hex')).toBe('7777');
  });

  it('round-trips a packet serialized by werift', () => {
    const original = new RtpPacket(new RtpHeader({ payloadType: 9, sequenceNumber: 65535, timestamp: 2 ** 32 - 1, ssrc: 42, marker: false }), Buffer.from([1, 2, 3]));
    const p = readRtpPacket(original.serialize());
    expect(p.header).toMatchObject({ payloadType: 9, sequenceNumber: 65535, timestamp: 2 ** 32 - 1, ssrc: 42 });
    expect([...p.payload]).toEqual([1, 2, 3]);
  });

  it.each([
    ['11 octets', '8000 0001 00000000 000000', /11 octets/],
    ['version 1', '4000 0001 00000000 00000001', /version 1/],
    ['a CSRC list beyond the end', '8300 0001 00000000 00000001 00000001', /CSRC/],
    ['an extension header beyond the end', '9000 0001 00000000 00000001 bede', /extension header missing/],
    ['an extension beyond the end', '9000 0001 00000000 00000001 bede0004 00000000', /extension overruns/],
    ['padding longer than the packet', 'a000 0001 00000000 00000001 0010', /padding/],
    ['zero padding length', 'a000 0001 00000000 00000001 0000', /padding/],
    ['payload type 72 (RTCP conflict)', '80c8 0001 00000000 00000001', /conflicts with RTCP/],
  ])('rejects %s', (_what, bytes, reason) => {
    expect(() => readRtpPacket(hex(bytes))).toThrow(PacketFormatError);
    expect(() => readRtpPacket(hex(bytes))).toThrow(reason);
  });

  it('tells RTCP from RTP on a multiplexed port (RFC 5761 §4)', () => {
    expect(isRtcpDatagram(hex('80c8 0006'))).toBe(true); // SR
    expect(isRtcpDatagram(hex('81cb 0001'))).toBe(true); // BYE
    expect(isRtcpDatagram(hex('8000 0001'))).toBe(false); // PCMU
    expect(isRtcpDatagram(hex('80e0 0001'))).toBe(false); // marker + dynamic PT 96
    expect(isRtcpDatagram(hex('80'))).toBe(false);
  });
});
