import { InvalidArgumentError } from '../errors';
import { type AudioLegParams, checkAudioLegParams, mixesFrom, nearestPacketTime, sendsTo } from './audio-leg-params';

const base: AudioLegParams = {
  remoteAddress: '192.0.2.10',
  remotePort: 4000,
  rtcpMux: false,
  payloadType: 0,
  codec: 'PCMU',
  clockRate: 8000,
  channels: 1,
  ptimeMs: 20,
  direction: 'sendrecv',
};

describe('checkAudioLegParams', () => {
  it('fills in the RTCP port (RFC 3550 §11) and keeps a supported packet time', () => {
    expect(checkAudioLegParams(base)).toEqual({ ...base, remoteRtcpPort: 4001 });
    expect(checkAudioLegParams({ ...base, remoteRtcpPort: 5000 }).remoteRtcpPort).toBe(5000);
  });

  it.each([
    ['PCMU', 25, 20],
    ['PCMA', 60, 40],
    ['G722', 10, 10],
    ['opus', 30, 20],
    ['opus', 60, 60],
    ['opus', 120, 60],
  ] as const)('rounds a=ptime for %s %i ms to %i ms', (codec, ptime, expected) => {
    expect(nearestPacketTime(codec, ptime)).toBe(expected);
  });

  it.each<[string, Partial<AudioLegParams>]>([
    ['remoteAddress', { remoteAddress: 'pbx.example.com' }],
    ['remotePort', { remotePort: 0 }],
    ['remotePort', { remotePort: 70000 }],
    ['payloadType', { payloadType: 128 }],
    ['payloadType', { payloadType: 72 }],
    ['codec', { codec: 'GSM' as AudioLegParams['codec'] }],
    ['clockRate', { clockRate: 16000 }],
    ['clockRate', { codec: 'opus', clockRate: 8000 }],
    ['channels', { channels: 2 }],
    ['ptimeMs', { ptimeMs: 0 }],
    ['telephoneEventPt', { telephoneEventPt: 0 }],
    ['direction', { direction: 'both' as AudioLegParams['direction'] }],
    ['audioLevelExtensionId', { audioLevelExtensionId: 15 }],
  ])('names the invalid field %s', (field, change) => {
    expect(() => checkAudioLegParams({ ...base, ...change })).toThrow(InvalidArgumentError);
    expect(() => checkAudioLegParams({ ...base, ...change })).toThrow(field);
  });

  it('accepts stereo opus', () => {
    expect(checkAudioLegParams({ ...base, codec: 'opus', clockRate: 48000, channels: 2, payloadType: 111 }).channels).toBe(2);
  });

  it('maps directions (the MCU’s view) to sending and mixing', () => {
    expect([sendsTo('sendrecv'), sendsTo('sendonly'), sendsTo('recvonly'), sendsTo('inactive')]).toEqual([true, true, false, false]);
    expect([mixesFrom('sendrecv'), mixesFrom('sendonly'), mixesFrom('recvonly'), mixesFrom('inactive')]).toEqual([true, false, false, false]);
  });
});
