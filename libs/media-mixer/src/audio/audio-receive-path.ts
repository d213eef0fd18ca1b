/**
 * The receive half of an audio leg: RTP packets → adaptive jitter buffer → decode, or conceal the
 * missing frames → sample FIFO at the codec's rate → one mixer frame per tick at the mixer's rate.
 *
 * The jitter buffer hands out exactly as much audio as time has passed (decoded frames,
 * concealment, silence); the FIFO absorbs the difference between packet times and the mixer's
 * 20 ms tick. Should the FIFO run dry (a tick fired early relative to the buffer's clock) the tick
 * is padded with silence; should it hold more than two ticks beyond what the tick needs (ticks
 * skipped after a stall), the oldest audio is dropped — both are counted.
 *
 * A lost Opus packet whose successor is already buffered is rebuilt from the successor's in-band
 * FEC (LBRR, RFC 6716 §2.1.7; RFC 7587 §3.3) rather than concealed, when the sender put LBRR data
 * in it and the codec's binding can decode it.
 */
import { CodecError } from '../errors';
import { type JitterBufferEvent, type JitterBufferOptions, type JitterBufferPacket, type JitterBufferPushResult, type JitterBufferStats, JitterBuffer } from '../rtp/jitter-buffer';
import type { AudioCodec } from './audio-codec';
import { rtpUnitsToSamples } from './audio-codec';
import { OpusCodec } from './opus-codec';
import { Resampler } from './resampler';
import { SampleFifo } from './sample-fifo';

/** Options of an `AudioReceivePath`. */
export interface AudioReceivePathOptions {
  /** The leg's codec (its decoder and concealment are used). */
  codec: AudioCodec;
  /** Mixer rate, Hz. */
  mixerRate: number;
  /** Mixer tick, ms. */
  frameMs: number;
  /** Monotonic ms, shared with the packets' arrival times. */
  clock: () => number;
  /** Jitter buffer bounds (ms); defaults of `JitterBuffer` (20–200 ms, starting at 40 ms). */
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'initialDelayMs'>;
}

/** Counters of the receive path beyond the jitter buffer's. */
export interface AudioReceiveCounters {
  /** Payloads the codec rejected (concealed instead). */
  decodeErrors: number;
  /** Ticks padded with silence because the FIFO ran dry. */
  underruns: number;
  /** Samples dropped because the FIFO held too much. */
  overrunSamples: number;
  /** Lost frames rebuilt from the next packet's in-band FEC (a subset of the jitter buffer's `concealed`). */
  fecRecovered: number;
}

/** Receive path of one leg. */
export class AudioReceivePath {
  private readonly jitter: JitterBuffer;
  private readonly fifo = new SampleFifo(4096);
  private readonly resampler: Resampler | undefined;
  private readonly samplesPerTick: number;
  private started = false;
  readonly counters: AudioReceiveCounters = { decodeErrors: 0, underruns: 0, overrunSamples: 0, fecRecovered: 0 };

  constructor(private readonly opts: AudioReceivePathOptions) {
    const codec = opts.codec;
    this.jitter = new JitterBuffer({
      clockRate: codec.clockRate,
      clock: opts.clock,
      durationOf: durationFunction(codec),
      ...opts.jitter,
    });
    this.samplesPerTick = Math.round((codec.sampleRate * opts.frameMs) / 1000);
    this.resampler = codec.sampleRate === opts.mixerRate ? undefined : new Resampler(codec.sampleRate, opts.mixerRate);
  }

  /** Stores a received audio packet (codec payload type) in the jitter buffer. */
  push(packet: JitterBufferPacket): JitterBufferPushResult {
    this.started = true;
    return this.jitter.push(packet);
  }

  /**
   * This tick's audio at the mixer rate (`mixerRate · frameMs / 1000` samples), or undefined before
   * the first packet arrived.
   */
  pullFrame(): Int16Array | undefined {
    if (!this.started) return undefined;
    const codec = this.opts.codec;
    const events = this.jitter.pull();
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const samples = rtpUnitsToSamples(codec, event.duration);
      if (event.kind === 'frame') {
        this.fifo.push(this.decode(event.packet.payload, samples));
      } else if (event.kind === 'missing') {
        const next = event.reason === 'loss' ? this.nextPacket(events, i) : undefined;
        const recovered = next && codec instanceof OpusCodec ? codec.recover(next.payload, samples) : undefined;
        if (recovered) this.counters.fecRecovered++;
        this.fifo.push(recovered ?? codec.conceal(samples));
      } else {
        this.fifo.pushSilence(samples);
      }
    }
    if (this.fifo.length < this.samplesPerTick) this.counters.underruns++;
    const pcm = this.fifo.take(this.samplesPerTick);
    const excess = this.fifo.length - 2 * this.samplesPerTick;
    if (excess > 0) {
      this.fifo.discard(excess);
      this.counters.overrunSamples += excess;
    }
    return this.resampler ? this.resampler.process(pcm) : pcm;
  }

  /** The jitter buffer's counters and delays. */
  jitterStats(): JitterBufferStats {
    return this.jitter.stats();
  }

  /** The packet right after event `i`: the next event's when it plays one, else the buffer's head when due next. */
  private nextPacket(events: readonly JitterBufferEvent[], i: number): JitterBufferPacket | undefined {
    const following = events[i + 1];
    if (following) return following.kind === 'frame' ? following.packet : undefined;
    return this.jitter.peekNext();
  }

  /** Releases the codec's native state (libopus); the path is not used afterwards. */
  close(): void {
    this.opts.codec.close?.();
  }

  /** Decodes a payload; a payload the codec rejects, or that decodes to the wrong length, is concealed. */
  private decode(payload: Buffer, samples: number): Int16Array {
    const codec = this.opts.codec;
    let pcm: Int16Array;
    try {
      pcm = codec.decode(payload);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      this.counters.decodeErrors++;
      return codec.conceal(samples);
    }
    if (pcm.length === samples) return pcm;
    // The jitter buffer's duration rules: pad or cut so that output time stays exact.
    const fitted = new Int16Array(samples);
    fitted.set(pcm.subarray(0, samples));
    return fitted;
  }
}

/** Duration of a payload in RTP units, from its length where the format fixes it (RFC 3551 §4.5). */
function durationFunction(codec: AudioCodec): ((packet: JitterBufferPacket) => number | undefined) | undefined {
  switch (codec.name.toUpperCase()) {
    case 'PCMU':
    case 'PCMA':
    case 'G722': // one octet per RTP unit at the 8000 Hz clock (two 16 kHz samples)
      return (packet) => (packet.payload.length > 0 ? packet.payload.length : undefined);
    case 'OPUS':
      return (packet) => OpusCodec.durationOf(packet.payload);
    default:
      return undefined;
  }
}
