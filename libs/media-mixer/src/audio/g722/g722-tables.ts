/**
 * Constants of ITU-T G.722 (11/88 and later editions), SB-ADPCM at 64 kbit/s (mode 1).
 * Names follow the Recommendation's block descriptions (§6.2): Q6 decision levels, QQ6/QQ4/QQ2
 * inverse-quantizer outputs, WL/WH logarithmic scale-factor multipliers, ILB the scale table.
 */

/** Transmit and receive QMF coefficients h0…h23 (G.722 Table 11), symmetric. */
export const QMF_COEFFICIENTS: readonly number[] = [
  3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876, 3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
];

/** Lower sub-band quantizer decision levels Q6(m), m = 0…29, in units of the scale factor (Table 6). */
export const Q6: readonly number[] = [
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339,
  1458, 1612, 1765, 1980, 2195, 2557, 2919,
];

/** 6-bit inverse quantizer outputs QQ6(m), m = 0…30 (Table 6). */
const QQ6: readonly number[] = [
  0, 17, 54, 91, 130, 170, 211, 254, 300, 347, 396, 447, 501, 558, 618, 682, 750, 822, 899, 982, 1072, 1170, 1279, 1399,
  1535, 1689, 1873, 2088, 2376, 2738, 3101,
];

/** 4-bit inverse quantizer outputs QQ4(m), m = 0…7 (Table 7). */
const QQ4: readonly number[] = [0, 150, 323, 530, 786, 1121, 1612, 2557];

/** 2-bit inverse quantizer outputs QQ2(m), m = 1…2 (Table 8). */
const QQ2: readonly number[] = [0, 202, 926];

/** Lower sub-band log scale-factor multipliers WL, indexed by the 4-bit magnitude index (Table 14). */
const WL: readonly number[] = [-60, -30, 58, 172, 334, 538, 1198, 3042];

/** Higher sub-band log scale-factor multipliers WH, indexed by the 2-bit magnitude index (Table 15). */
const WH: readonly number[] = [0, -214, 798];

/** Lower sub-band quantizer decision level multiplier for the higher band, Q2(1) (Table 8). */
export const Q2_LEVEL = 564;

/** Scale-factor table ILB (Table 16): 2^(i/32 + 11), i = 0…31, rounded. */
export const ILB: readonly number[] = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025,
  3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];

/** Upper bounds of the log scale factors NBL / NBH (G.722 §6.2.1.3, §6.2.2.3). */
export const NBL_MAX = 18432;
export const NBH_MAX = 22528;

/**
 * 6-bit lower-band code word for magnitude interval m (1…30) of a positive difference signal
 * (Table 6, column ILP): 111101 for m = 1 counting down to 100000 for m = 30.
 */
export function ilp(m: number): number {
  return 62 - m;
}

/**
 * 6-bit code word for interval m of a negative difference signal (Table 6, column ILN):
 * 111111, 111110 for m = 1, 2, then 011111 counting down to 000100 for m = 30.
 */
export function iln(m: number): number {
  return m === 1 ? 63 : m === 2 ? 62 : 34 - m;
}

/**
 * Signed 6-bit inverse-quantizer output (QQ6 · 8 with the code's sign) for every code word, as
 * used by the decoder's INVQBL in mode 1. The unused codes 000000…000011 decode as interval 1,
 * negative (Table 6 note).
 */
export const QM6: Int32Array = (() => {
  const t = new Int32Array(64).fill(-(QQ6[1] << 3));
  for (let m = 1; m <= 30; m++) {
    t[ilp(m)] = QQ6[m] << 3;
    t[iln(m)] = -(QQ6[m] << 3);
  }
  return t;
})();

/**
 * 4-bit magnitude index IL4 of the truncated code word RIL = IL >> 2 (Table 7): codes 0001…0111
 * are negative 7…1, codes 1000…1110 positive 7…1, codes 0000 and 1111 zero.
 */
export function il4(ril: number): number {
  if (ril === 0 || ril === 15) return 0;
  return ril < 8 ? 8 - ril : 15 - ril;
}

/** Signed 4-bit inverse-quantizer output (QQ4 · 8) for each truncated code word RIL (INVQAL). */
export const QM4: Int32Array = Int32Array.from({ length: 16 }, (_, ril) => {
  const q = QQ4[il4(ril)] << 3;
  return ril < 8 ? -q : q;
});

/** WL multiplier for each truncated code word RIL (LOGSCL input). */
export const WL_BY_RIL: Int32Array = Int32Array.from({ length: 16 }, (_, ril) => WL[il4(ril)]);

/**
 * Higher sub-band 2-bit code words (Table 8): IHP/IHN for intervals 1 and 2, the signed inverse
 * quantizer output QQ2 · 8 per code word (INVQAH), and the WH multiplier per code word (LOGSCH).
 */
export const IHP: readonly number[] = [0, 3, 2];
export const IHN: readonly number[] = [0, 1, 0];
export const QM2: Int32Array = Int32Array.from([-(QQ2[2] << 3), -(QQ2[1] << 3), QQ2[2] << 3, QQ2[1] << 3]);
export const WH_BY_IH: Int32Array = Int32Array.from([WH[2], WH[1], WH[2], WH[1]]);
