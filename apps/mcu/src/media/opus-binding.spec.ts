import { OpusCodec, toneAmplitude } from '@mcu/media-mixer';
import { createOpusBinding } from './opus-binding';

describe('createOpusBinding', () => {
  it('round-trips a 1 kHz tone through libopus at 16 kHz (20 ms frames) keeping its frequency', () => {
    const codec = new OpusCodec(createOpusBinding(16000), 16000);
    const frames: Int16Array[] = [];
    for (let f = 0; f < 25; f++) {
      const pcm = new Int16Array(320);
      for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * (f * 320 + i)) / 16000));
      const packet = codec.encode(pcm);
      expect(packet.length).toBeGreaterThan(0);
      expect(packet.length).toBeLessThan(320);
      frames.push(codec.decode(packet));
    }
    const last = frames[frames.length - 1];
    expect(last.length).toBe(320);
    const at1000 = toneAmplitude(last, 16000, 1000);
    const at440 = toneAmplitude(last, 16000, 440);
    expect(at1000).toBeGreaterThan(4000);
    expect(at1000).toBeGreaterThan(at440 * 10);
  });

  it('refuses a rate libopus does not run at', () => {
    expect(() => createOpusBinding(44100)).toThrow(RangeError);
  });
});
