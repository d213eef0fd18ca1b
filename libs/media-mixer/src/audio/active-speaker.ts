/**
 * Active-speaker detection for one room from per-tick speech levels (decoded RMS, or the RFC 6464
 * level the client reports), with a noise gate and hysteresis.
 *
 * Each level is smoothed (exponential average, `smoothingMs`). A participant *dominates* a tick
 * when its level in that tick and its smoothed level are above the noise gate and its smoothed
 * level is the highest — above the current speaker's by `marginDb`. A challenger takes the floor after dominating for `holdMs` (1 s) of
 * ticks; ticks in which nobody is above the gate (pauses between words) neither count nor reset,
 * a tick dominated by someone else resets the count. The floor stays with the last speaker through
 * silence; it becomes empty (`null`) when the speaker leaves, is muted or is held.
 *
 * Pure state, one `update()` per mixer tick.
 */

/** Options of an `ActiveSpeakerDetector`. */
export interface ActiveSpeakerOptions {
  /** Duration of one tick, ms. */
  frameMs: number;
  /** Dominance needed to take the floor, ms. Default 1000. */
  holdMs?: number;
  /** Noise gate, dBFS of RMS (0 dBFS = 32767). Default −45. */
  gateDbfs?: number;
  /** Margin over the current speaker a challenger needs, dB. Default 3. */
  marginDb?: number;
  /** Time constant of the level smoothing, ms. Default 200. */
  smoothingMs?: number;
}

/** Active-speaker state of one room. */
export class ActiveSpeakerDetector {
  private readonly smoothed = new Map<string, number>();
  private current: string | null = null;
  private challenger: string | undefined;
  private challengeMs = 0;
  private readonly holdMs: number;
  private readonly gate: number;
  private readonly margin: number;
  private readonly alpha: number;

  constructor(private readonly opts: ActiveSpeakerOptions) {
    this.holdMs = opts.holdMs ?? 1000;
    this.gate = 32767 * 10 ** ((opts.gateDbfs ?? -45) / 20);
    this.margin = 10 ** ((opts.marginDb ?? 3) / 20);
    this.alpha = Math.min(1, opts.frameMs / (opts.smoothingMs ?? 200));
  }

  /** The participant holding the floor, or null. */
  get speaker(): string | null {
    return this.current;
  }

  /**
   * Accounts one tick.
   * @param levels RMS level (sample units, 0…32767) of every participant that may speak now —
   *   muted and held participants left out.
   * @returns the new speaker (or null) when the floor changed this tick, else undefined.
   */
  update(levels: ReadonlyMap<string, number>): string | null | undefined {
    for (const id of this.smoothed.keys()) if (!levels.has(id)) this.smoothed.delete(id);
    let loudest: string | undefined;
    let best = -1;
    for (const [id, level] of levels) {
      const s = (this.smoothed.get(id) ?? 0) + this.alpha * (level - (this.smoothed.get(id) ?? 0));
      this.smoothed.set(id, s);
      if (s > best) {
        best = s;
        loudest = id;
      }
    }
    // Only someone speaking in this very tick can dominate it: the smoothing tail of a word that
    // ended must not count towards the floor.
    const dominant = loudest !== undefined && (levels.get(loudest) ?? 0) > this.gate && best > this.gate ? loudest : undefined;
    if (this.current !== null && !levels.has(this.current)) return this.change(null);
    if (dominant === undefined) return undefined; // a pause: nothing counts, nothing resets
    if (dominant === this.current) {
      this.challenger = undefined;
      this.challengeMs = 0;
      return undefined;
    }
    const currentLevel = this.current === null ? 0 : (this.smoothed.get(this.current) ?? 0);
    if (best < currentLevel * this.margin) return undefined; // within the margin: no contest
    if (dominant !== this.challenger) {
      this.challenger = dominant;
      this.challengeMs = 0;
    }
    this.challengeMs += this.opts.frameMs;
    return this.challengeMs >= this.holdMs ? this.change(dominant) : undefined;
  }

  /**
   * Takes a participant out (left, muted, held).
   * @returns null when it held the floor (the floor is now empty), else undefined.
   */
  remove(id: string): null | undefined {
    this.smoothed.delete(id);
    if (this.challenger === id) {
      this.challenger = undefined;
      this.challengeMs = 0;
    }
    if (this.current !== id) return undefined;
    this.change(null);
    return null;
  }

  private change(speaker: string | null): string | null {
    this.current = speaker;
    this.challenger = undefined;
    this.challengeMs = 0;
    return speaker;
  }
}
