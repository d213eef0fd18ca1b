import { RtcpHeader } from 'werift-rtp';
import { InvalidArgumentError, PacketFormatError } from '../errors';
import { findKeyframeRequests, parseKeyframeRequest, serializeFir, serializePli } from './rtcp-feedback';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const PLI = hex('81 ce 0002 11223344 55667788');
const FIR = hex('84 ce 0006 11223344 00000000 55667788 07000000 99aabbcc ff000000');

describe('PLI and FIR wire format (RFC 4585 §6.3.1, RFC 5104 §4.3.1)', () => {
  it('writes a PLI with werift and reads it back', () => {
    expect(serializePli(0x11223344, 0x55667788)).toEqual(PLI);
    expect(findKeyframeRequests(PLI)).toEqual([{ kind: 'pli', senderSsrc: 0x11223344, mediaSsrc: 0x55667788 }]);
  });

  it('writes a FIR with sequence numbers and media source SSRC 0, and reads it back', () => {
    const entries = [
      { ssrc: 0x55667788, sequenceNumber: 7 },
      { ssrc: 0x99aabbcc, sequenceNumber: 255 },
    ];
    expect(serializeFir(0x11223344, entries)).toEqual(FIR);
    expect(findKeyframeRequests(FIR)).toEqual([{ kind: 'fir', senderSsrc: 0x11223344, entries }]);
  });

  it('finds requests inside a compound packet and skips other packets and feedback types', () => {
    const rr = hex('80 c9 0001 01020304');
    const remb = hex('8f ce 0004 11223344 00000000 52454d42 01000000');
    const nack = hex('81 cd 0003 11223344 55667788 00640000');
    expect(findKeyframeRequests(Buffer.concat([rr, remb, nack, PLI, FIR])).map((r) => r.kind)).toEqual(['pli', 'fir']);
    expect(parseKeyframeRequest(RtcpHeader.deSerialize(remb), remb.subarray(4))).toBeUndefined();
  });

  it('accepts padding on the last packet only', () => {
    const padded = hex('a1 ce 0003 11223344 55667788 00000004');
    expect(findKeyframeRequests(padded)).toHaveLength(1);
    expect(() => findKeyframeRequests(Buffer.concat([padded, PLI]))).toThrow(/padding before/);
    expect(() => findKeyframeRequests(hex('a1 ce 0003 11223344 55667788 0000000d'))).toThrow(/padding length/);
  });

  it('rejects malformed datagrams and bodies with PacketFormatError', () => {
    const cases = [
      '81 ce',
      '41 ce 0002 11223344 55667788',
      '81 ce 0003 11223344 55667788',
      '81 ce 0001 11223344',
      '84 ce 0002 11223344 00000000',
      '84 ce 0005 11223344 00000000 55667788 07000000 01020304',
      '81 ce 0002 11223344 55667788 00',
    ];
    for (const c of cases) expect(() => findKeyframeRequests(hex(c))).toThrow(PacketFormatError);
  });

  it('refuses to write impossible values', () => {
    expect(() => serializePli(-1, 0)).toThrow(InvalidArgumentError);
    expect(() => serializeFir(1, [])).toThrow(InvalidArgumentError);
    expect(() => serializeFir(1, [{ ssrc: 2, sequenceNumber: 256 }])).toThrow(InvalidArgumentError);
    expect(() => serializeFir(1, [{ ssrc: 2 ** 32, sequenceNumber: 1 }])).toThrow(InvalidArgumentError);
  });
});
