import { H225, type H225Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { aliasKey, dialedDigitsAlias, h323IdAlias } from './ras-alias';
import * as msg from './ras-messages';
import { keepAliveDelay, rasTimerSettings } from './ras-timers';
import { fromTransportAddress, toTransportAddress } from './transport-address';

const me: msg.RasIdentity = {
  callSignalAddress: { address: '192.0.2.10', port: 1720 },
  rasAddress: { address: '192.0.2.10', port: 40000 },
  endpointType: { mcu: {}, mc: true, undefinedNode: false },
  vendor: { vendor: { t35CountryCode: 0, t35Extension: 0, manufacturerCode: 0 }, productId: Buffer.from('Tessera MCU') },
  aliases: [dialedDigitsAlias('1001'), h323IdAlias('Räume – 東京')],
};
const registration = { endpointIdentifier: '1_endp', gatekeeperIdentifier: 'GK' };
const call: msg.RasCall = {
  callIdentifier: Buffer.alloc(16, 1), conferenceID: Buffer.alloc(16, 2), callReferenceValue: 65535, srcInfo: [], destinationInfo: [],
  bandwidth: 4294967295,
};

describe('RAS message builders (H.225.0 §7)', () => {
  it.each<[string, H225Types.RasMessage]>([
    ['GRQ', msg.gatekeeperRequest(1, me)],
    ['RRQ', msg.registrationRequest(65535, me, { discoveryComplete: true, gatekeeperIdentifier: 'GK', timeToLive: 300 })],
    ['keep-alive RRQ', msg.keepAliveRequest(2, me, registration, true, 300)],
    ['URQ', msg.unregistrationRequest(3, me, registration)],
    ['ARQ', msg.admissionRequest(4, me, registration, call)],
    ['DRQ', msg.disengageRequest(5, registration, call, 'forcedDrop')],
    ['IRR', msg.infoRequestResponse(6, me, registration, [call], 'complete')],
    ['UCF', msg.unregistrationConfirm(7)],
    ['DCF', msg.disengageConfirm(8)],
    ['BCF', msg.bandwidthConfirm(9, 640)],
    ['XRS', msg.unknownMessageResponse(10, Buffer.from([1, 2, 3]))],
  ])('%s encodes and decodes to the same value', (_name, message) => {
    const bytes = encode(H225.RasMessage, message);
    expect(decode(H225.RasMessage, bytes)).toEqual(message);
  });

  it('makes the keep-alive RRQ lightweight: keepAlive, endpointIdentifier, no aliases', () => {
    const rrq = msg.keepAliveRequest(2, me, registration, true).value as H225Types.RegistrationRequest;
    expect(rrq).toMatchObject({ keepAlive: true, endpointIdentifier: '1_endp', gatekeeperIdentifier: 'GK' });
    expect(rrq.terminalAlias).toBeUndefined();
    expect(rrq.timeToLive).toBeUndefined();
  });

  it('leaves out empty alias lists (the RRQ and URQ SEQUENCE OF are then absent)', () => {
    const none = { ...me, aliases: [] };
    expect((msg.registrationRequest(1, none, { discoveryComplete: true }).value as H225Types.RegistrationRequest).terminalAlias).toBeUndefined();
    expect((msg.unregistrationRequest(1, none, registration).value as H225Types.UnregistrationRequest).endpointAlias).toBeUndefined();
  });
});

describe('aliases', () => {
  it('accepts room numbers and ids within the AliasAddress constraints', () => {
    expect(dialedDigitsAlias('0123456789#*,')).toEqual({ tag: 'dialedDigits', value: '0123456789#*,' });
    expect(h323IdAlias('x'.repeat(256)).value).toHaveLength(256);
    expect(aliasKey(dialedDigitsAlias('1'))).not.toBe(aliasKey(h323IdAlias('1')));
  });

  it.each(['', '12a', '+4930', '1'.repeat(129)])('rejects dialedDigits %p', (digits) => {
    expect(() => dialedDigitsAlias(digits)).toThrow(RangeError);
  });

  it.each(['', 'x'.repeat(257), 'emoji 😀'])('rejects h323-ID %p', (id) => {
    expect(() => h323IdAlias(id)).toThrow(RangeError);
  });
});

describe('transport addresses', () => {
  it.each([
    ['127.0.0.1', 1719, '7f000001'],
    ['::1', 1720, '00000000000000000000000000000001'],
    ['2001:db8::a:1', 1, '20010db80000000000000000000a0001'],
    ['::ffff:192.0.2.1', 2, '00000000000000000000ffffc0000201'],
  ])('%s port %d ↔ %s', (address, port, hex) => {
    const transport = toTransportAddress({ address, port });
    expect((transport.value as { ip: Buffer }).ip.toString('hex')).toBe(hex);
    const back = fromTransportAddress(transport);
    expect(back?.port).toBe(port);
    expect(toTransportAddress(back!)).toEqual(transport);
  });

  it('rejects host names and bad ports', () => {
    expect(() => toTransportAddress({ address: 'gk.example', port: 1719 })).toThrow(RangeError);
    expect(() => toTransportAddress({ address: '127.0.0.1', port: 65536 })).toThrow(RangeError);
    expect(fromTransportAddress({ tag: 'netBios', value: Buffer.alloc(16) })).toBeUndefined();
  });
});

describe('RAS timers', () => {
  it('schedules the keep-alive so its retransmissions fit before timeToLive, never before half of it', () => {
    const timers = rasTimerSettings();
    expect(keepAliveDelay(300, timers)).toBe(281_000);
    expect(keepAliveDelay(60, timers)).toBe(41_000);
    expect(keepAliveDelay(10, timers)).toBe(5_000);
  });

  it('rejects unusable settings', () => {
    expect(() => rasTimerSettings({ requestTimeout: 0 })).toThrow(RangeError);
    expect(() => rasTimerSettings({ retries: -1 })).toThrow(RangeError);
    expect(() => rasTimerSettings({ retries: 1.5 })).toThrow(RangeError);
  });
});
