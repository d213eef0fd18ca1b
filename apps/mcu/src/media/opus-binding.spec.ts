import { OpusCodec, toneAmplitude } from '@mcu/media-mixer';
import { Encoder } from '@evan/opus';
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

/** RFC 6716 in-band FEC (§2.1.7): the LBRR copy of frame n travels in packet n + 1. */
describe('createOpusBinding in-band FEC', () => {
  const OPUS_SET_BITRATE = 4002;
  const OPUS_SET_INBAND_FEC = 4012;
  const OPUS_SET_PACKET_LOSS_PERC = 4014;
  const RATE = 16000;
  const FRAME = 320; // 20 ms

  const LOST = 20;

  /** 1 kHz tone whose phase turns by 180° at frame LOST, so that continuing the past waveform (concealment) is wrong there. */
  function tone(frame: number): Int16Array {
    const pcm = new Int16Array(FRAME);
    const phase = frame >= LOST ? Math.PI : 0;
    for (let i = 0; i < FRAME; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * (frame * FRAME + i)) / RATE + phase));
    return pcm;
  }

  function packets(fec: boolean, count: number): Buffer[] {
    const encoder = new Encoder({ channels: 1, sample_rate: RATE, application: 'voip' });
    encoder.ctl(OPUS_SET_BITRATE, 32000);
    encoder.ctl(OPUS_SET_INBAND_FEC, fec ? 1 : 0);
    encoder.ctl(OPUS_SET_PACKET_LOSS_PERC, 20);
    const out: Buffer[] = [];
    for (let f = 0; f < count; f++) {
      const pcm = tone(f);
      out.push(Buffer.from(encoder.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength))));
    }
    return out;
  }

  /** Normalised correlation of `got` with `ref` (1 = same waveform, −1 = inverted, 0 = unrelated or silent). */
  function correlation(ref: Int16Array, got: Int16Array): number {
    let rg = 0;
    let rr = 0;
    let gg = 0;
    for (let i = 0; i < ref.length; i++) {
      rg += ref[i] * got[i];
      rr += ref[i] * ref[i];
      gg += got[i] * got[i];
    }
    return rr === 0 || gg === 0 ? 0 : rg / Math.sqrt(rr * gg);
  }

  it('rebuilds a lost 20 ms frame from the next packet far better than concealment does', () => {
    const sent = packets(true, 30);
    const lost = LOST;
    expect(sent.slice(5).every((p) => OpusCodec.carriesFec(p))).toBe(true);

    const reference = new OpusCodec(createOpusBinding(RATE), RATE);
    const decoded = sent.map((p) => reference.decode(p));

    const withFec = new OpusCodec(createOpusBinding(RATE), RATE);
    const concealing = new OpusCodec(createOpusBinding(RATE), RATE);
    for (let f = 0; f < lost; f++) {
      withFec.decode(sent[f]);
      concealing.decode(sent[f]);
    }
    const recovered = withFec.recover(sent[lost + 1], FRAME);
    expect(recovered).toBeDefined();
    expect(recovered!.length).toBe(FRAME);
    const concealed = concealing.conceal(FRAME);

    expect(correlation(decoded[lost], recovered!)).toBeGreaterThan(0.8);
    expect(correlation(decoded[lost], concealed)).toBeLessThan(0.3);
    // the stream goes on with the packet the FEC came from
    expect(withFec.decode(sent[lost + 1]).length).toBe(FRAME);
    for (const codec of [reference, withFec, concealing]) codec.close();
  });

  it('finds no LBRR data when the encoder sends none, and then leaves the frame to concealment', () => {
    const sent = packets(false, 10);
    expect(sent.some((p) => OpusCodec.carriesFec(p))).toBe(false);
    const codec = new OpusCodec(createOpusBinding(RATE), RATE);
    codec.decode(sent[0]);
    expect(codec.recover(sent[2], FRAME)).toBeUndefined();
    codec.close();
  });

  it('reports a packet libopus rejects as an error and refuses use after close', () => {
    const binding = createOpusBinding(RATE);
    expect(() => binding.decode(Buffer.from([0x03, 0x00]))).toThrow(/libopus/); // code 3 with zero frames: OPUS_INVALID_PACKET
    binding.close?.();
    binding.close?.();
    expect(() => binding.decode(packets(false, 1)[0])).toThrow(/after close/);
  });
});
