import type { NegotiatedStream } from '@mcu/sip';
import { audioLegParams, dtmfRelayDigit, sipCapabilities, videoLegParams, videoPictureSize } from './sip-media';

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

  it('offers each video format only when the media plane encodes it', () => {
    const video = (caps: ReturnType<typeof sipCapabilities>) => caps.filter((c) => c.kind === 'video').map((c) => c.name);
    expect(video(sipCapabilities(() => true, () => true))).toEqual(['H264', 'H264', 'VP8', 'H263-1998', 'H263-2000', 'H263', 'H261']);
    expect(video(sipCapabilities(() => true, (f) => f === 'VP8' || f === 'H263'))).toEqual(['VP8', 'H263']);
    expect(video(sipCapabilities(() => true, () => false))).toEqual([]);
  });

  const videoStream = (over: Parameters<typeof stream>[0] = {}) =>
    stream({ kind: 'video', codec: 'H264', payloadType: 96, clockRate: 90000, channels: 1, ptime: undefined, telephoneEventPt: undefined, fmtp: 'profile-level-id=640028;packetization-mode=0', ...over });

  it('maps H.264: Constrained Baseline at the lower level, mode 0, b=AS less headers, FIR only when only FIR was negotiated', () => {
    const r = videoLegParams(videoStream({ bandwidth: { asKbps: 400 }, rtcpFeedback: ['ccm fir'] }));
    if (!('params' in r)) throw new Error(r.reason);
    expect(r.params).toMatchObject({ codec: 'H264', payloadType: 96, h264: { packetizationMode: 0, profileLevelId: '42e01f' }, width: 640, height: 360, feedback: { pli: false, fir: true } });
    expect(r.params.maxBitrateBps).toBeLessThan(400_000);
    expect(r.params.maxBitrateBps).toBeGreaterThan(300_000);
    expect('spropParameterSets' in (r.params.h264 ?? {})).toBe(false);
    const plain = videoLegParams(videoStream({ fmtp: 'profile-level-id=42e01f' }));
    if (!('params' in plain)) throw new Error(plain.reason);
    expect(plain.params.maxBitrateBps).toBeUndefined();
    expect(plain.params.feedback).toEqual({ pli: true, fir: false });
  });

  it('refuses video it cannot run: packetization-mode 2, malformed fmtp, unknown formats, host names', () => {
    expect(videoLegParams(videoStream({ fmtp: 'packetization-mode=2' }))).toEqual({ reason: expect.stringContaining('packetization-mode 2') });
    expect(videoLegParams(videoStream({ fmtp: 'profile-level-id=zz' }))).toEqual({ reason: expect.stringContaining('malformed') });
    expect(videoLegParams(videoStream({ codec: 'MP4V-ES' }))).toEqual({ reason: expect.stringContaining('MP4V-ES') });
    expect(videoLegParams(videoStream({ address: 'cam.example.com' }))).toEqual({ reason: expect.stringContaining('IP literal') });
  });

  it.each([
    ['H264', 'profile-level-id=42e01f', { width: 640, height: 360 }],
    ['H264', 'profile-level-id=42e016', { width: 352, height: 288 }],
    ['H264', 'profile-level-id=42e00b', { width: 176, height: 144 }],
    ['H264', undefined, { width: 176, height: 144 }],
    ['H264', 'profile-level-id=42e01f;max-fs=400', { width: 352, height: 288 }],
    ['VP8', undefined, { width: 640, height: 360 }],
    ['VP8', 'max-fr=30;max-fs=3600', { width: 640, height: 360 }],
    ['VP8', 'max-fs=99', { width: 176, height: 144 }],
    ['H263-1998', 'QCIF=1', { width: 176, height: 144 }],
    ['H263-1998', 'CIF=2;QCIF=1', { width: 352, height: 288 }],
    ['H263', 'SQCIF=1', { width: 128, height: 96 }],
    ['H263', undefined, undefined],
    ['H261', 'QCIF=1', { width: 176, height: 144 }],
  ] as const)('sends %s receivers with fmtp %j a %j composite', (codec, fmtp, size) => {
    expect(videoPictureSize(codec, fmtp)).toEqual(size);
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
