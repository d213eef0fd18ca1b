import { createAudioCodec } from './codec-registry';

describe('createAudioCodec', () => {
  it.each([
    ['PCMU', 8000, 'PCMU'],
    ['pcma', 8000, 'PCMA'],
    ['G722', 8000, 'G722'],
  ])('creates %s/%p', (name, rate, expected) => {
    expect(createAudioCodec(name, rate)?.name).toBe(expected);
  });

  it('gives every call a fresh instance', () => {
    expect(createAudioCodec('G722', 8000)).not.toBe(createAudioCodec('G722', 8000));
  });

  it('creates Opus only at 48000 and with a binding', () => {
    expect(createAudioCodec('opus', 48000)).toBeUndefined();
    const binding = { encode: () => new Uint8Array(1), decode: () => new Uint8Array(2) };
    const opus = createAudioCodec('opus', 48000, { opusBinding: () => binding });
    expect(opus).toMatchObject({ name: 'opus', clockRate: 48000, sampleRate: 16000 });
    expect(createAudioCodec('opus', 16000, { opusBinding: () => binding })).toBeUndefined();
  });

  it.each([
    ['PCMU', 16000],
    ['G722', 16000],
    ['telephone-event', 8000],
    ['H264', 90000],
  ])('does not support %s/%p', (name, rate) => {
    expect(createAudioCodec(name, rate)).toBeUndefined();
  });
});
