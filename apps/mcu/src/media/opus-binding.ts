/**
 * libopus for the media plane through `@evan/opus` (libopus compiled into the npm package, so
 * `npm ci` downloads and builds nothing). Each call gives a fresh mono encoder/decoder pair at the
 * requested rate; a mono decoder downmixes stereo packets (RFC 7587 §3.4: a receiver may decode any
 * packet to mono).
 *
 * Encoding uses the package's `Encoder` (its native addon where the platform has one). Decoding
 * calls the C API of the WebAssembly libopus the package ships (`wasm/opus.wasm`, or `simd.wasm`
 * where the engine has SIMD) directly, because the package's `Decoder` cannot ask for in-band FEC:
 * `opus_decode(st, data, len, pcm, frame_size, decode_fec)` with `decode_fec = 1` rebuilds a lost
 * frame from the LBRR data of the packet after it (RFC 6716 §2.1.7, RFC 7587 §3.3), and it must run
 * on the same decoder state as the ordinary decodes. The module is compiled and instantiated once per
 * process; each binding owns one decoder state in its memory, freed by `close()` (or, should a
 * binding be dropped without it, when it is garbage-collected).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Encoder } from '@evan/opus';
import type { OpusBindingFactory } from '@mcu/media-mixer';

/** PCM rates libopus runs at, Hz (RFC 7587 §4.1 keeps the RTP clock at 48 kHz whatever this is). */
const OPUS_PCM_RATES = [8000, 12000, 16000, 24000, 48000] as const;
type OpusPcmRate = (typeof OPUS_PCM_RATES)[number];

/** Largest packet accepted, octets (an RTP payload fits a UDP datagram; RFC 6716 §3.4 R1–R7 allow 1275 per frame). */
const MAX_PACKET_OCTETS = 8192;
/** Longest decoded packet: 120 ms (RFC 6716 §3.2.5) at 48 kHz, mono. */
const MAX_FRAME_SAMPLES_48K = 5760;

/** The JavaScript WebAssembly API of Node (not in this project's TypeScript `lib`): the calls used here. */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, () => number>>) => { exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The part of libopus's C API (and the Emscripten allocator) used here; pointers are octet offsets into `memory`. */
interface Libopus {
  memory: { readonly buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  opus_strerror(code: number): number;
  opus_decoder_get_size(channels: number): number;
  opus_decoder_init(st: number, sampleRate: number, channels: number): number;
  opus_decode(st: number, data: number, len: number, pcm: number, frameSize: number, decodeFec: number): number;
  _initialize?: () => void;
}

/** The process-wide instance, with scratch buffers for one packet and one decoded frame. */
interface LibopusInstance {
  lib: Libopus;
  packetPtr: number;
  pcmPtr: number;
  freeState: FinalizationRegistry<number>;
}

let instance: LibopusInstance | undefined;

function isOpusPcmRate(rate: number): rate is OpusPcmRate {
  return (OPUS_PCM_RATES as readonly number[]).includes(rate);
}

/** Compiles and instantiates the packaged WebAssembly libopus on first use. */
function libopus(): LibopusInstance {
  if (instance) return instance;
  const dir = join(dirname(require.resolve('@evan/opus/package.json')), 'wasm');
  const simd = wasmApi.validate(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11));
  const module = new wasmApi.Module(readFileSync(join(dir, simd ? 'simd.wasm' : 'opus.wasm')));
  const noop = (): number => 0; // libopus never writes to files; nothing to report
  const wasm = new wasmApi.Instance(module, {
    wasi_snapshot_preview1: { fd_seek: noop, fd_write: noop, fd_close: noop, proc_exit: noop },
    env: { emscripten_notify_memory_growth: noop }, // views of `memory` are made afresh on every call
  });
  const lib = wasm.exports as unknown as Libopus;
  lib._initialize?.();
  const packetPtr = lib.malloc(MAX_PACKET_OCTETS);
  const pcmPtr = lib.malloc(MAX_FRAME_SAMPLES_48K * 2);
  instance = { lib, packetPtr, pcmPtr, freeState: new FinalizationRegistry((ptr) => lib.free(ptr)) };
  return instance;
}

/** libopus's text for a negative return code (OPUS_BAD_ARG, OPUS_INVALID_PACKET, …). */
function opusError(lib: Libopus, code: number): Error {
  const bytes = new Uint8Array(lib.memory.buffer);
  let end = lib.opus_strerror(code);
  const start = end;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new Error(`libopus: ${Buffer.from(bytes.subarray(start, end)).toString('latin1')} (${code})`);
}

/**
 * A mono libopus decoder at `sampleRate` on the shared WebAssembly instance.
 * @returns `decode(packet)` and `decodeFec(nextPacket, frameSamples)` giving s16le PCM at `sampleRate`,
 *   and `close()`; both decodes throw Error for a packet libopus rejects, one over 8192 octets, or after `close()`.
 */
function wasmDecoder(sampleRate: OpusPcmRate): { decode(p: Buffer): Uint8Array; decodeFec(p: Buffer, n: number): Uint8Array; close(): void } {
  const { lib, packetPtr, pcmPtr, freeState } = libopus();
  let state = lib.malloc(lib.opus_decoder_get_size(1));
  const init = lib.opus_decoder_init(state, sampleRate, 1);
  if (init < 0) {
    lib.free(state);
    throw opusError(lib, init);
  }
  const token = {};
  freeState.register(token, state, token);
  const maxSamples = (MAX_FRAME_SAMPLES_48K * sampleRate) / 48000;
  const run = (packet: Buffer, frameSamples: number, fec: 0 | 1): Uint8Array => {
    if (state === 0) throw new Error('libopus decoder used after close');
    if (packet.length > MAX_PACKET_OCTETS) throw new Error(`Opus packet of ${packet.length} octets is too long`);
    new Uint8Array(lib.memory.buffer, packetPtr, packet.length).set(packet);
    const samples = lib.opus_decode(state, packetPtr, packet.length, pcmPtr, Math.min(frameSamples, maxSamples), fec);
    if (samples < 0) throw opusError(lib, samples);
    return new Uint8Array(lib.memory.buffer.slice(pcmPtr, pcmPtr + samples * 2));
  };
  return {
    decode: (packet) => run(packet, maxSamples, 0),
    decodeFec: (nextPacket, frameSamples) => run(nextPacket, frameSamples, 1),
    close: () => {
      if (state === 0) return;
      freeState.unregister(token);
      lib.free(state);
      state = 0;
    },
  };
}

/**
 * The `OpusBindingFactory` of the MCU: `(sampleRate) => { encode, decode, decodeFec, close }` over
 * 16-bit little-endian mono PCM at `sampleRate` Hz. The encoder runs in VoIP mode.
 * @throws RangeError for a rate libopus does not support (8, 12, 16, 24 or 48 kHz only).
 */
export const createOpusBinding: OpusBindingFactory = (sampleRate) => {
  if (!isOpusPcmRate(sampleRate)) throw new RangeError(`libopus does not run at ${sampleRate} Hz`);
  const encoder = new Encoder({ channels: 1, sample_rate: sampleRate, application: 'voip' });
  const decoder = wasmDecoder(sampleRate);
  return {
    encode: (pcm) => encoder.encode(pcm),
    decode: decoder.decode,
    decodeFec: decoder.decodeFec,
    close: decoder.close,
  };
};
