import { decode, encode, H225 } from '../index';
import fixtures from './fixtures/capture-q931.json';
import { findElement, InformationElementId, parseInformationElements, serializeInformationElements } from './information-element';
import { Q931MessageType } from './message-type';
import { Q931Error } from './q931-error';
import { parseQ931, serializeQ931 } from './q931-message';
import { parseCause } from './cause';
import { parseDisplay } from './simple-elements';
import { parseUserUser, USER_USER_PROTOCOL_X208 } from './user-user';

const messages = fixtures.messages.map((m) => ({ name: `${m.capture}#${m.frame}`, bytes: Buffer.from(m.q931, 'hex') }));

describe('Q.931 messages of the captures', () => {
  it('has the 67 call-signalling messages', () => {
    expect(messages).toHaveLength(67);
  });

  it.each(messages)('$name parses and re-serializes byte-identical', ({ bytes }) => {
    const message = parseQ931(bytes);
    expect(message.protocolDiscriminator).toBe(0x08);
    expect(message.callReference.length).toBe(2);
    expect(serializeQ931(message).equals(bytes)).toBe(true);
    const userUser = findElement(message.informationElements, InformationElementId.UserUser);
    expect(userUser).toBeDefined();
    const { protocolDiscriminator, information } = parseUserUser(userUser!.contents);
    expect(protocolDiscriminator).toBe(USER_USER_PROTOCOL_X208);
    expect(encode(H225.H323_UserInformation, decode(H225.H323_UserInformation, information)).equals(information)).toBe(true);
  });

  it('reads the caller Setup: call reference, flag, Bearer capability, Display', () => {
    const setup = parseQ931(messages[0].bytes);
    expect(setup.messageType).toBe(Q931MessageType.Setup);
    expect(setup.callReference).toEqual({ value: 0x22aa, fromDestination: false, length: 2 });
    const display = findElement(setup.informationElements, InformationElementId.Display);
    expect(parseDisplay(display!.contents)).toBe('root');
    const answer = parseQ931(messages[1].bytes);
    expect(answer.callReference).toEqual({ value: 0x22aa, fromDestination: true, length: 2 });
  });

  it('reads the ReleaseComplete cause: user, normal call clearing', () => {
    const release = messages.find((m) => parseQ931(m.bytes).messageType === Q931MessageType.ReleaseComplete)!;
    const cause = findElement(parseQ931(release.bytes).informationElements, InformationElementId.Cause);
    expect(parseCause(cause!.contents)).toMatchObject({ location: 0, value: 16, codingStandard: 0 });
  });

  it('throws only Q931Error for every truncation of every message', () => {
    for (const { bytes } of messages) {
      for (let cut = 0; cut < bytes.length; cut += 1) {
        try {
          const parsed = parseQ931(bytes.subarray(0, cut));
          expect(serializeQ931(parsed).equals(bytes.subarray(0, cut))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(Q931Error);
        }
      }
    }
  });
});

describe('Q.931 message framing', () => {
  it.each([
    ['a wrong protocol discriminator', '090222aa05', /discriminator/],
    ['a call reference of 3 octets', '080322aa0105', /3 octets/],
    ['a missing message type', '080222aa', /message type missing/],
    ['a message type with bit 8 set', '080222aa85', /bit 8/],
    ['too few octets', '0802', /2 octets/],
  ])('rejects %s', (_name, hex, message) => {
    expect(() => parseQ931(Buffer.from(hex, 'hex'))).toThrow(message);
  });

  it('supports the dummy call reference and a one-octet call reference', () => {
    const dummy = parseQ931(Buffer.from('08007d', 'hex'));
    expect(dummy.callReference).toEqual({ value: 0, fromDestination: false, length: 0 });
    const short = parseQ931(Buffer.from('0801857d', 'hex'));
    expect(short.callReference).toEqual({ value: 5, fromDestination: true, length: 1 });
    expect(serializeQ931(short).toString('hex')).toBe('0801857d');
  });

  it('refuses a call reference value that does not fit', () => {
    expect(() =>
      serializeQ931({ protocolDiscriminator: 8, callReference: { value: 0x8000, fromDestination: false, length: 2 }, messageType: 5, informationElements: [] }),
    ).toThrow(RangeError);
  });
});

describe('information elements (Q.931 §4.5)', () => {
  it('keeps single-octet elements, shifts and unknown elements verbatim', () => {
    // Sending complete, unknown 0x5f, locking shift to codeset 6, a codeset-6 element 0x7e with a 1-octet length
    const bytes = Buffer.from('a15f020102967e0199', 'hex');
    const elements = parseInformationElements(bytes, 0);
    expect(elements).toEqual([
      { kind: 'single', octet: 0xa1 },
      { kind: 'variable', id: 0x5f, codeset: 0, contents: Buffer.from('0102', 'hex') },
      { kind: 'single', octet: 0x96 },
      { kind: 'variable', id: 0x7e, codeset: 6, contents: Buffer.from('99', 'hex') },
    ]);
    expect(serializeInformationElements(elements).equals(bytes)).toBe(true);
  });

  it('applies a non-locking shift to the next element only', () => {
    const elements = parseInformationElements(Buffer.from('9e7e01aa7e0001bb', 'hex'), 0);
    expect(elements[1]).toMatchObject({ id: 0x7e, codeset: 6 });
    expect(elements[2]).toMatchObject({ id: 0x7e, codeset: 0, contents: Buffer.from('bb', 'hex') });
  });

  it.each([
    ['a missing length octet', '28'],
    ['contents past the end', '2805726f'],
    ['a User-user length past the end', '7e0010'],
    ['a User-user with one length octet', '7e00'],
  ])('rejects %s with cause 100', (_name, hex) => {
    expect(() => parseInformationElements(Buffer.from(hex, 'hex'), 0)).toThrow(expect.objectContaining({ causeValue: 100 }));
  });

  it('refuses contents longer than the length field', () => {
    expect(() => serializeInformationElements([{ kind: 'variable', id: 0x28, codeset: 0, contents: Buffer.alloc(256) }])).toThrow(RangeError);
  });
});
