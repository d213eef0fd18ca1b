/**
 * Soft clipping of mixed audio: linear up to a knee, then a tanh curve that approaches full scale
 * without reaching it, with slope 1 at the knee so quiet and normal mixes pass untouched and loud
 * sums saturate smoothly instead of wrapping or hard-clipping.
 *
 *   y = x                                        for |x| ≤ K
 *   y = sign(x) · (K + (F − K) · tanh((|x| − K) / (F − K)))   otherwise, F = 32767
 */

/** Full scale of 16-bit audio. */
const FULL_SCALE = 32767;

/** Default knee: −3 dBFS (23197). */
export const DEFAULT_KNEE = Math.round(FULL_SCALE * 10 ** (-3 / 20));

/**
 * Converts mixed samples (any magnitude) to 16-bit with a soft knee.
 * @param mix summed samples, unbounded.
 * @param out destination of the same length.
 * @param knee level in sample units above which compression starts, 0 < knee < 32767.
 */
export function softClip(mix: Float64Array | Int32Array, out: Int16Array, knee = DEFAULT_KNEE): Int16Array {
  const range = FULL_SCALE - knee;
  for (let i = 0; i < mix.length; i++) {
    const x = mix[i];
    if (x <= knee && x >= -knee) {
      out[i] = Math.round(x);
    } else {
      const magnitude = knee + range * Math.tanh((Math.abs(x) - knee) / range);
      out[i] = Math.round(x < 0 ? -magnitude : magnitude);
    }
  }
  return out;
}
