import fc from 'fast-check';
import fixtures from '../q931/fixtures/capture-q931.json';
import { Q931Error } from '../q931/q931-error';
import { buildH225, parseH225 } from './h225-message';
import { RELEASE_ENCODING, releaseReasonFromWire, type H323ReleaseReason } from './release-reason';
import { CallStateError, H323CallState, isAllowedTransition, Q931_CALL_STATE_VALUE } from './call-state';

const captured = fixtures.messages.map((m) => Buffer.from(m.q931, 'hex'));

describe('H.225.0 messages (H.225.0 §7.3)', () => {
  it('re-encodes every captured message byte-identical through parseH225/buildH225', () => {
    for (const bytes of captured) {
      const message = parseH225(bytes);
      const elements = message.q931.informationElements.filter((e) => !(e.kind === 'variable' && e.id === 0x7e));
      const rebuilt = buildH225({
        messageType: message.q931.messageType,
        callReference: message.q931.callReference,
        elements,
        pdu: message.userInformation!['h323-uu-pdu'],
      });
      expect(rebuilt.equals(bytes)).toBe(true);
    }
  });

  it('throws only Q931Error for random octets (fixed seed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (octets) => {
        try {
          parseH225(Buffer.from(octets));
        } catch (error) {
          if (!(error instanceof Q931Error)) throw error;
        }
      }),
      { seed: 4242, numRuns: 2000 },
    );
  });

  it('throws only Q931Error for captured messages with corrupted octets (fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: captured.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (index, edits) => {
          const bytes = Buffer.from(captured[index]);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          try {
            parseH225(bytes);
          } catch (error) {
            if (!(error instanceof Q931Error)) throw error;
          }
        },
      ),
      { seed: 2250, numRuns: 2000 },
    );
  });

  it('answers an undecodable User-user PDU with cause 100', () => {
    expect(() => parseH225(Buffer.from('080212340528057465737400' + '7e000305ffff', 'hex'))).toThrow(
      expect.objectContaining({ causeValue: 100 }),
    );
    expect(() => parseH225(Buffer.from('0802123405' + '7e00020400', 'hex'))).toThrow(/discriminator 4/);
  });
});

describe('release reasons (H.225.0 ReleaseCompleteReason ↔ Q.850 cause)', () => {
  it.each([
    ['unknownDestination', 'unreachableDestination', 1],
    ['busy', 'destinationRejection', 21],
    ['rejected', 'destinationRejection', 21],
    ['normal', 'undefinedReason', 16],
    ['timeout', 'undefinedReason', 102],
    ['invalidContents', 'undefinedReason', 100],
    ['invalidMessage', 'undefinedReason', 95],
    ['resourceUnavailable', 'gatewayResources', 47],
  ] as const)('%s → %s, cause %i', (reason, tag, cause) => {
    expect(RELEASE_ENCODING[reason as H323ReleaseReason]).toEqual({ reason: { tag, value: null }, causeValue: cause });
  });

  it('maps what peers send back to a reason', () => {
    expect(releaseReasonFromWire('unreachableDestination', undefined)).toBe('unknownDestination');
    expect(releaseReasonFromWire(undefined, 17)).toBe('busy');
    expect(releaseReasonFromWire('destinationRejection', 21)).toBe('rejected');
    expect(releaseReasonFromWire(undefined, 16)).toBe('normal');
    expect(releaseReasonFromWire(undefined, undefined)).toBe('normal');
    expect(releaseReasonFromWire(undefined, 102)).toBe('timeout');
  });
});

describe('call states (Q.931 §2.1.1)', () => {
  const S = H323CallState;
  it.each([
    [S.Null, S.CallInitiated, true],
    [S.Null, S.CallPresent, true],
    [S.CallPresent, S.IncomingCallProceeding, true],
    [S.IncomingCallProceeding, S.Active, true],
    [S.CallInitiated, S.Active, true],
    [S.CallPresent, S.Active, false],
    [S.Active, S.CallDelivered, false],
    [S.Released, S.Active, false],
    [S.Released, S.Released, false],
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(isAllowedTransition(from, to)).toBe(allowed);
  });

  it('every state can be released except Released itself, and the Call state values follow Table 4-12', () => {
    for (const state of Object.values(S)) expect(isAllowedTransition(state, S.Released)).toBe(state !== S.Released);
    expect(Q931_CALL_STATE_VALUE[S.IncomingCallProceeding]).toBe(9);
    expect(Q931_CALL_STATE_VALUE[S.Active]).toBe(10);
    expect(new CallStateError(S.Active, S.Null).message).toMatch(/active → null/);
  });
});
