import { RtcpReceiverInfo, RtcpRrPacket } from 'werift-rtp';
import { PacketFormatError } from '../errors';
import { serializeFir, serializePli } from '../video/rtcp-feedback';
import { RtcpByePacket } from './rtcp-bye';
import { cnameDescription, findCname, parseCompoundRtcp, serializeCompoundRtcp } from './rtcp-compound';

const rr = () => new RtcpRrPacket({ ssrc: 0x01020304, reports: [new RtcpReceiverInfo({ ssrc: 5, fractionLost: 1, packetsLost: 2, highestSequence: 3, jitter: 4, lsr: 6, dlsr: 7 })] });

describe('compound RTCP (RFC 3550 §6.1, §A.2)', () => {
  it('round-trips RR + SDES + BYE with golden bytes for SDES and BYE', () => {
    const bytes = serializeCompoundRtcp([rr(), cnameDescription(0x01020304, 'ab'), new RtcpByePacket([0x01020304], 'bye')]);
    // SDES: header (1 chunk, length 3) | SSRC | CNAME(1) len 2 "ab" | null item (0, 0) | padding
    expect(bytes.subarray(32, 48).toString('hex')).toBe('81ca0003' + '01020304' + '01026162' + '00000000');
    // BYE: header (1 source, length 2) | SSRC | reason length 3 "bye"
    expect(bytes.subarray(48).toString('hex')).toBe('81cb0002' + '01020304' + '03627965');
    const parsed = parseCompoundRtcp(bytes);
    expect(parsed.receiverReports[0].reports[0]).toMatchObject({ ssrc: 5, fractionLost: 1, packetsLost: 2, highestSequence: 3, jitter: 4, lsr: 6, dlsr: 7 });
    expect(findCname(parsed, 0x01020304)).toBe('ab');
    expect(parsed.byes[0]).toMatchObject({ sources: [0x01020304], reason: 'bye' });
  });

  it.each(['a', 'ab', 'abc', 'abcd', 'mcu@192.0.2.10'])('terminates the SDES item list for CNAME %p', (cname) => {
    const sdes = cnameDescription(7, cname).serialize();
    expect(sdes.length % 4).toBe(0);
    expect(sdes[8 + 2 + cname.length]).toBe(0); // null octet after the item
    expect(findCname(parseCompoundRtcp(Buffer.concat([rr().serialize(), sdes])), 7)).toBe(cname);
  });

  it('skips packet types it does not model, by length', () => {
    const app = Buffer.from('80cc0002' + '00000001' + '61626364', 'hex'); // APP, name "abcd"
    const parsed = parseCompoundRtcp(Buffer.concat([rr().serialize(), app]));
    expect(parsed.otherCount).toBe(1);
    expect(parsed.receiverReports).toHaveLength(1);
  });

  it('reads PLI and FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1) and counts other feedback', () => {
    const remb = Buffer.from('8fce0003' + '00000001' + '00000000' + '52454d42', 'hex'); // PSFB FMT 15 (application layer)
    const parsed = parseCompoundRtcp(
      Buffer.concat([rr().serialize(), cnameDescription(0x01020304, 'ab').serialize(), serializePli(0x01020304, 0xaabbccdd), serializeFir(0x01020304, [{ ssrc: 0xaabbccdd, sequenceNumber: 7 }]), remb]),
    );
    expect(parsed.keyframeRequests).toEqual([
      { kind: 'pli', senderSsrc: 0x01020304, mediaSsrc: 0xaabbccdd },
      { kind: 'fir', senderSsrc: 0x01020304, entries: [{ ssrc: 0xaabbccdd, sequenceNumber: 7 }] },
    ]);
    expect(parsed.otherCount).toBe(1);
    expect(parseCompoundRtcp(rr().serialize()).keyframeRequests).toEqual([]);
  });

  it('accepts padding on the last packet only', () => {
    const padded = Buffer.from('a1cb0002' + '00000009' + '00000004', 'hex'); // BYE with 4 octets of padding
    expect(parseCompoundRtcp(Buffer.concat([rr().serialize(), padded])).byes[0].sources).toEqual([9]);
    expect(() => parseCompoundRtcp(Buffer.concat([padded, rr().serialize()]))).toThrow(/padding before the last/);
  });

  it.each([
    ['a short datagram', '81c9', /shorter than a header/],
    ['version 1', '41c90001' + '00000001', /version 1/],
    ['a length beyond the datagram', '81c90007' + '00000001', /overruns/],
    ['trailing octets', '80c90001' + '00000001' + '0000', /trailing/],
    ['an RR shorter than its count', '82c90007' + '00000001' + '00'.repeat(24), /RR shorter/],
    ['an SR shorter than its count', '80c80001' + '00000001', /SR shorter/],
    ['an unterminated SDES item list', '81ca0002' + '00000001' + '01026162', /not terminated/],
    ['an SDES item overrunning', '81ca0002' + '00000001' + '01096162', /overruns/],
    ['a BYE with too many sources', '82cb0001' + '00000001', /announces 2 sources/],
    ['a BYE reason overrunning', '81cb0002' + '00000001' + '09616263', /reason overruns/],
    ['zero padding length', 'a0c90001' + '00000000', /padding length/],
    ['a PLI without its media SSRC', '81ce0001' + '00000001', /lacks its SSRCs/],
    ['a FIR with a partial entry', '84ce0003' + '00000001' + '00000000' + '00000002', /whole 8-octet entries/],
  ])('rejects %s', (_what, hex, reason) => {
    expect(() => parseCompoundRtcp(Buffer.from(hex, 'hex'))).toThrow(PacketFormatError);
    expect(() => parseCompoundRtcp(Buffer.from(hex, 'hex'))).toThrow(reason);
  });

  it('serializes a BYE without reason and refuses more than 31 sources', () => {
    expect(new RtcpByePacket([1, 2]).serialize().toString('hex')).toBe('82cb0002' + '00000001' + '00000002');
    expect(() => new RtcpByePacket(Array.from({ length: 32 }, (_, i) => i)).serialize()).toThrow(PacketFormatError);
  });
});
