import { decode, encode } from '../per/codec';
import type { PerType } from '../per/compiled-type';
import fixture from './fixtures/capture-pdus.json';
import { H225, H245, type H225Types } from './generated';

/**
 * Every H.225.0 and H.245 PDU of the reference captures (H323Plus 1.28 peers, see
 * libs/h323/scripts/extract-capture-fixtures.ts) decodes, and re-encodes to the same octets. Inside
 * H323-UserInformation, the tunnelled H.245 PDUs (h245Control, parallelH245Control: MultimediaSystemControlMessage)
 * and the fastStart proposals (OpenLogicalChannel) are decoded and re-encoded too, and their numbers are checked
 * against tshark's dissection.
 */
interface CapturePdu {
  capture: string;
  frame: number;
  type: string;
  q931MessageType?: number;
  tunnelled?: { fastStart: number; h245Control: number; parallelH245Control: number };
  hex: string;
}

const pdus = fixture.pdus as CapturePdu[];

const TYPES: Record<string, PerType<unknown>> = {
  'H323-UserInformation': H225.H323_UserInformation,
  RasMessage: H225.RasMessage,
  MultimediaSystemControlMessage: H245.MultimediaSystemControlMessage,
};

function roundTrip(type: PerType<unknown>, bytes: Buffer): unknown {
  const value = decode(type, bytes);
  expect(encode(type, value).toString('hex')).toBe(bytes.toString('hex'));
  return value;
}

interface Tunnelled {
  fastStart: Buffer[];
  h245Control: Buffer[];
  parallelH245Control: Buffer[];
}

function tunnelledOf(info: H225Types.H323_UserInformation): Tunnelled {
  const pdu = info['h323-uu-pdu'];
  const body = pdu['h323-message-body'];
  const fields = typeof body.value === 'object' && body.value !== null && !Buffer.isBuffer(body.value)
    ? (body.value as { fastStart?: Buffer[]; parallelH245Control?: Buffer[] })
    : {};
  return {
    fastStart: fields.fastStart ?? [],
    h245Control: pdu.h245Control ?? [],
    parallelH245Control: fields.parallelH245Control ?? [],
  };
}

describe('PDUs of the reference captures', () => {
  it('has PDUs of every kind', () => {
    const kinds = new Set(pdus.map((p) => p.type));
    expect([...kinds].sort()).toEqual(['H323-UserInformation', 'MultimediaSystemControlMessage', 'RasMessage']);
    expect(pdus.length).toBe(101);
  });

  it.each(pdus.map((p) => [`${p.capture} frame ${p.frame} ${p.type}`, p] as const))(
    '%s decodes and re-encodes byte-identical',
    (_name, pdu) => {
      const value = roundTrip(TYPES[pdu.type], Buffer.from(pdu.hex, 'hex'));
      if (pdu.type !== 'H323-UserInformation') return;
      const tunnelled = tunnelledOf(value as H225Types.H323_UserInformation);
      for (const proposal of tunnelled.fastStart) roundTrip(H245.OpenLogicalChannel, proposal);
      for (const message of [...tunnelled.h245Control, ...tunnelled.parallelH245Control]) {
        roundTrip(H245.MultimediaSystemControlMessage, message);
      }
      expect({
        fastStart: tunnelled.fastStart.length,
        h245Control: tunnelled.h245Control.length,
        parallelH245Control: tunnelled.parallelH245Control.length,
      }).toEqual(pdu.tunnelled);
    },
  );

  it('finds the tunnelled H.245 PDUs and fastStart proposals tshark reports', () => {
    let fastStart = 0;
    let h245 = 0;
    for (const pdu of pdus) {
      if (pdu.type !== 'H323-UserInformation') continue;
      const tunnelled = tunnelledOf(decode(H225.H323_UserInformation, Buffer.from(pdu.hex, 'hex')));
      fastStart += tunnelled.fastStart.length;
      h245 += tunnelled.h245Control.length + tunnelled.parallelH245Control.length;
    }
    expect({ fastStart, h245 }).toEqual({ fastStart: 12, h245: 59 });
  });
});
