import type { NegotiatedStream } from '@mcu/sip';
import { audioLegParams, dtmfRelayDigit, sipCapabilities } from './sip-media';

const stream = (over: Partial<NegotiatedStream> = {}): NegotiatedStream => ({
  kind: 'audio',
  index: 0,
  address: '192.0.2.10',
  port: 4000,
  rtcpPort: 4001,
  localPort: 20000,
  payloadType: 111,
  codec: 'opus',
  clockRate: 48000,
  channels: 2,
  ptime: 20,
  direction: 'sendrecv',
  rtcpMux: false,
  telephoneEventPt: 101,
  rtcpFeedback: [],
  bandwidth: {},
  ...over,
});

describe('SIP media translations', () => {
  it('maps a negotiated opus stream to leg parameters', () => {
    expect(audioLegParams(stream())).toEqual({
      params: {
        remoteAddress: '192.0.2.10',
        remotePort: 4000,
        remoteRtcpPort: 4001,
        rtcpMux: false,
        payloadType: 111,
        codec: 'opus',
        clockRate: 48000,
        channels: 2,
        ptimeMs: 20,
        telephoneEventPt: 101,
        direction: 'sendrecv',
      },
    });
  });

  it('maps codec names case-insensitively, defaults ptime to 20 ms, keeps hold directions', () => {
    const r = audioLegParams(stream({ codec: 'pcma', payloadType: 8, clockRate: 8000, channels: 1, ptime: undefined, direction: 'recvonly', telephoneEventPt: undefined }));
    expect(r).toEqual({ params: expect.objectContaining({ codec: 'PCMA', ptimeMs: 20, direction: 'recvonly' }) });
    expect('params' in r && 'telephoneEventPt' in r.params).toBe(false);
  });

  it('refuses codecs the mixer does not run and host names', () => {
    expect(audioLegParams(stream({ codec: 'GSM' }))).toEqual({ reason: 'codec GSM is not mixed' });
    expect(audioLegParams(stream({ address: 'phone.example.com' }))).toEqual({ reason: expect.stringContaining('not an IP literal') });
  });

  it('offers opus only when the media plane runs it', () => {
    const names = (caps: ReturnType<typeof sipCapabilities>) => caps.filter((c) => c.kind === 'audio').map((c) => c.name);
    expect(names(sipCapabilities(() => true))).toEqual(['PCMU', 'PCMA', 'G722', 'opus', 'telephone-event']);
    expect(names(sipCapabilities((c) => c !== 'opus'))).toEqual(['PCMU', 'PCMA', 'G722', 'telephone-event']);
    expect(sipCapabilities(() => false).some((c) => c.kind === 'video')).toBe(true);
  });

  it.each([
    ['Signal=5\r\nDuration=160\r\n', '5'],
    ['Signal= #\r\nDuration=100', '#'],
    ['signal=*', '*'],
    ['Signal=10\r\n', '*'],
    ['Signal=11', '#'],
    ['Signal=d', 'D'],
    ['Duration=160', undefined],
    ['Signal=16', undefined],
    ['Signal=', undefined],
    ['', undefined],
  ])('reads the digit of dtmf-relay body %j', (body, digit) => {
    expect(dtmfRelayDigit(body)).toBe(digit);
  });
});
