/**
 * The send half of an audio leg: the leg's mix, one mixer tick at a time → resample to the codec's
 * rate → FIFO → one encoded RTP packet per packet time (RFC 3551 §4.5: `a=ptime` 10/20/30/40 ms),
 * with RFC 4733 telephone events taking the place of audio packets while a digit is sent.
 *
 * The stream has one SSRC and a timeline that never jumps: the RTP timestamp advances by the
 * packet time for every packet and by the tick for every tick in which the leg does not send
 * (hold), so that after a resume it again matches elapsed time (RFC 3550 §5.1); sequence numbers
 * advance by one per packet sent and never skip. Initial values are random (RFC 3550 §5.1). The
 * first packet after a start, a resume or a codec change carries the marker bit (RFC 3551 §4.1).
 * With packet times longer than the tick, packets leave on the tick that completes them (30 ms:
 * alternately after 40 and 20 ms); with 10 ms, two packets leave per 20 ms tick.
 */
import { randomInt } from 'node:crypto';
import { CodecError, InvalidArgumentError } from '../errors';
import type { OutgoingRtpHeader } from '../rtp/rtp-endpoint';
import type { AudioCodec } from './audio-codec';
import { DtmfSender } from './dtmf-sender';
import { Resampler } from './resampler';
import { SampleFifo } from './sample-fifo';

/** One RTP packet to send. */
export interface OutgoingAudioPacket {
  header: OutgoingRtpHeader;
  payload: Buffer;
}

/** Where a stream's numbering continues (after a codec change). */
export interface StreamPosition {
  /** Next sequence number, 16 bits. */
  sequenceNumber: number;
  /** RTP timestamp of the next sample, 32 bits. */
  timestamp: number;
}

/** Options of an `AudioSendPath`. */
export interface AudioSendPathOptions {
  codec: AudioCodec;
  payloadType: number;
  /** Packet time, ms (a multiple of 10). */
  ptimeMs: number;
  /** RFC 4733 payload type, when negotiated. */
  telephoneEventPt?: number;
  /** Mixer rate, Hz. */
  mixerRate: number;
  /** Mixer tick, ms. */
  frameMs: number;
  /** Continue an existing stream instead of random initial values. */
  continueFrom?: StreamPosition;
}

/** Counters of the send path. */
export interface AudioSendCounters {
  /** Frames the codec refused to encode (not sent). */
  encodeErrors: number;
  /** Telephone events completed. */
  dtmfSent: number;
}

/** Send path of one leg. */
export class AudioSendPath {
  private readonly fifo = new SampleFifo(4096);
  private readonly resampler: Resampler | undefined;
  private readonly samplesPerPacket: number;
  private readonly unitsPerPacket: number;
  private readonly unitsPerTick: number;
  private readonly dtmf: DtmfSender | undefined;
  private sequenceNumber: number;
  /** RTP timestamp of the first sample in the FIFO. */
  private timestamp: number;
  private marker = true;
  readonly counters: AudioSendCounters = { encodeErrors: 0, dtmfSent: 0 };

  constructor(private readonly opts: AudioSendPathOptions) {
    const codec = opts.codec;
    this.samplesPerPacket = Math.round((codec.sampleRate * opts.ptimeMs) / 1000);
    this.unitsPerPacket = Math.round((codec.clockRate * opts.ptimeMs) / 1000);
    this.unitsPerTick = Math.round((codec.clockRate * opts.frameMs) / 1000);
    this.resampler = codec.sampleRate === opts.mixerRate ? undefined : new Resampler(opts.mixerRate, codec.sampleRate);
    this.dtmf = opts.telephoneEventPt === undefined ? undefined : new DtmfSender({ clockRate: codec.clockRate });
    this.sequenceNumber = opts.continueFrom?.sequenceNumber ?? randomInt(0x10000);
    this.timestamp = opts.continueFrom?.timestamp ?? randomInt(2 ** 32 - 1);
  }

  /** Where the stream continues (for a successor path after a codec change). */
  position(): StreamPosition {
    const pendingUnits = Math.round((this.fifo.length * this.opts.codec.clockRate) / this.opts.codec.sampleRate);
    return { sequenceNumber: this.sequenceNumber, timestamp: (this.timestamp + pendingUnits) >>> 0 };
  }

  /**
   * Queues a DTMF digit (RFC 4733).
   * @throws InvalidArgumentError when telephone-event was not negotiated, or for a bad digit or duration.
   */
  sendDtmf(digit: string, durationMs: number): void {
    if (!this.dtmf) throw new InvalidArgumentError('telephone-event (RFC 4733) was not negotiated on this leg');
    this.dtmf.enqueue(digit, durationMs);
  }

  /**
   * One mixer tick.
   * @param mix this tick's audio for the leg at the mixer rate, or undefined when the leg does not
   *   send this tick (hold): the timeline advances, nothing is sent, queued DTMF is dropped.
   * @returns the packets to send now, in order (none, one, or two with a 10 ms packet time).
   */
  tick(mix: Int16Array | undefined): OutgoingAudioPacket[] {
    if (!mix) {
      this.timestamp = this.position().timestamp + this.unitsPerTick;
      this.fifo.clear();
      this.resampler?.reset();
      this.dtmf?.reset();
      this.marker = true;
      return [];
    }
    this.fifo.push(this.resampler ? this.resampler.process(mix) : mix);
    const packets: OutgoingAudioPacket[] = [];
    while (this.fifo.length >= this.samplesPerPacket) {
      const pcm = this.fifo.take(this.samplesPerPacket);
      const packet = this.packetFor(pcm);
      if (packet) packets.push(packet);
      this.timestamp = (this.timestamp + this.unitsPerPacket) >>> 0;
    }
    if (this.dtmf) this.counters.dtmfSent = this.dtmf.sent;
    return packets;
  }

  private packetFor(pcm: Int16Array): OutgoingAudioPacket | undefined {
    const event = this.dtmf?.next(this.timestamp, this.unitsPerPacket);
    if (event) {
      return this.number({ payloadType: this.opts.telephoneEventPt as number, timestamp: event.timestamp, marker: event.marker }, event.payload);
    }
    let payload: Buffer;
    try {
      payload = this.opts.codec.encode(pcm);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      this.counters.encodeErrors++;
      return undefined;
    }
    const marker = this.marker;
    this.marker = false;
    return this.number({ payloadType: this.opts.payloadType, timestamp: this.timestamp, marker }, payload);
  }

  private number(fields: Omit<OutgoingRtpHeader, 'sequenceNumber'>, payload: Buffer): OutgoingAudioPacket {
    const header = { ...fields, sequenceNumber: this.sequenceNumber };
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    return { header, payload };
  }
}
