/**
 * Mix-minus ("N−1") audio mixing for one room, one tick at a time, at one internal rate.
 *
 * Every participant receives the sum of all other participants that are neither muted nor on hold,
 * soft-clipped to 16 bits; a participant alone (or with only muted/held others) receives silence.
 * The sum of all contributors is formed once per tick and each participant's own contribution is
 * subtracted, so a tick costs O(N) rather than O(N²).
 *
 * The mixer is codec- and network-agnostic: callers decode and resample each leg to the mixer rate
 * before `contribute()`, and resample and encode each output for its leg after `mix()`.
 */
import { InvalidArgumentError } from '../errors';
import { DEFAULT_KNEE, softClip } from './soft-clipper';

/** Options of an `AudioMixer`. */
export interface AudioMixerOptions {
  /** Internal sample rate in Hz (16000 recommended: see the docs of `MIXER_SAMPLE_RATE`). */
  sampleRate: number;
  /** Samples per tick per participant (e.g. 320 for 20 ms at 16 kHz). */
  frameSamples: number;
  /** Soft-clip knee in sample units; default −3 dBFS. */
  knee?: number;
}

/**
 * The mixer's default internal rate, 16 kHz: G.711 (8 kHz) and G.722 (16 kHz) legs need at most a
 * 2:1 conversion, Opus can encode and decode at 16 kHz natively, speech carries almost no energy
 * above 8 kHz, and a tick costs a third of what it would at 48 kHz (mixing and resampling are per
 * sample), which matters for rooms of hundreds.
 */
export const MIXER_SAMPLE_RATE = 16000;

interface Participant {
  muted: boolean;
  held: boolean;
  /** This tick's audio at the mixer rate, or undefined when none was contributed. */
  frame: Int16Array | undefined;
  /** RMS of the last contributed frame, in sample units (before mute), for level meters. */
  level: number;
}

/** Mix-minus mixer of one room. */
export class AudioMixer {
  readonly sampleRate: number;
  readonly frameSamples: number;
  private readonly knee: number;
  private readonly participants = new Map<string, Participant>();
  private readonly total: Float64Array;
  private readonly scratch: Float64Array;

  /** @throws InvalidArgumentError for a non-positive rate or frame size, or a knee outside (0, 32767). */
  constructor(opts: AudioMixerOptions) {
    if (!(opts.sampleRate > 0) || !Number.isInteger(opts.frameSamples) || opts.frameSamples <= 0) {
      throw new InvalidArgumentError(`Invalid mixer format ${opts.sampleRate} Hz × ${opts.frameSamples} samples`);
    }
    this.knee = opts.knee ?? DEFAULT_KNEE;
    if (!(this.knee > 0 && this.knee < 32767)) throw new InvalidArgumentError(`Invalid soft-clip knee ${this.knee}`);
    this.sampleRate = opts.sampleRate;
    this.frameSamples = opts.frameSamples;
    this.total = new Float64Array(opts.frameSamples);
    this.scratch = new Float64Array(opts.frameSamples);
  }

  /** Adds a participant (unmuted, not held). Adding an existing id is a no-op. */
  addParticipant(id: string): void {
    if (!this.participants.has(id)) this.participants.set(id, { muted: false, held: false, frame: undefined, level: 0 });
  }

  /** Removes a participant; unknown ids are ignored. */
  removeParticipant(id: string): void {
    this.participants.delete(id);
  }

  /** Ids of the participants, in insertion order. */
  participantIds(): string[] {
    return [...this.participants.keys()];
  }

  /**
   * Server-side mute: a muted participant is left out of everyone's mix from the next `mix()`, but
   * still hears the others.
   * @throws InvalidArgumentError for an unknown participant.
   */
  setMuted(id: string, muted: boolean): void {
    this.get(id).muted = muted;
  }

  /**
   * Hold (SDP sendonly/inactive): a held participant neither contributes nor receives a mix.
   * @throws InvalidArgumentError for an unknown participant.
   */
  setHeld(id: string, held: boolean): void {
    this.get(id).held = held;
  }

  /**
   * Supplies this tick's audio of a participant, at the mixer rate. A later call in the same tick
   * replaces the earlier one; a participant that contributes nothing counts as silent.
   * @param pcm exactly `frameSamples` mono samples.
   * @throws InvalidArgumentError for an unknown participant or a wrong frame length.
   */
  contribute(id: string, pcm: Int16Array): void {
    if (pcm.length !== this.frameSamples) {
      throw new InvalidArgumentError(`Frame of ${pcm.length} samples, mixer expects ${this.frameSamples}`);
    }
    const p = this.get(id);
    p.frame = pcm;
    let energy = 0;
    for (let i = 0; i < pcm.length; i++) energy += pcm[i] * pcm[i];
    p.level = Math.sqrt(energy / pcm.length);
  }

  /**
   * Mixes the tick: for every participant not on hold, the soft-clipped sum of all other
   * contributors. Clears the contributions for the next tick.
   * @returns a new frame per receiving participant (held participants get none).
   */
  mix(): Map<string, Int16Array> {
    const total = this.total;
    total.fill(0);
    for (const p of this.participants.values()) {
      if (!this.contributes(p)) continue;
      const f = p.frame as Int16Array;
      for (let i = 0; i < f.length; i++) total[i] += f[i];
    }
    const out = new Map<string, Int16Array>();
    for (const [id, p] of this.participants) {
      if (p.held) continue;
      const frame = new Int16Array(this.frameSamples);
      if (this.contributes(p)) {
        const own = p.frame as Int16Array;
        const minus = this.scratch;
        for (let i = 0; i < own.length; i++) minus[i] = total[i] - own[i];
        softClip(minus, frame, this.knee);
      } else {
        softClip(total, frame, this.knee);
      }
      out.set(id, frame);
    }
    for (const p of this.participants.values()) {
      if (p.frame === undefined) p.level = 0;
      p.frame = undefined;
    }
    return out;
  }

  /**
   * RMS level of each participant's frame in the last mixed tick (0 when it contributed nothing), in
   * sample units (0…32767), whether or not it is muted — input for active-speaker detection.
   */
  levels(): Map<string, number> {
    return new Map([...this.participants].map(([id, p]) => [id, p.level]));
  }

  private contributes(p: Participant): boolean {
    return p.frame !== undefined && !p.muted && !p.held;
  }

  private get(id: string): Participant {
    const p = this.participants.get(id);
    if (!p) throw new InvalidArgumentError(`Unknown mixer participant ${id}`);
    return p;
  }
}
