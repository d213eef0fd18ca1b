/**
 * RTP/RTCP port pairs from a configured range (RFC 3550 §11: RTP on an even port, RTCP on the
 * next higher odd port; RFC 3605 makes other layouts possible, we keep the classic one so that
 * peers without `a=rtcp` support still find RTCP).
 */
import * as dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { InvalidArgumentError, PortRangeExhaustedError } from '../errors';

/**
 * A bound RTP/RTCP socket pair. The owner must attach `'error'` listeners to both sockets before
 * returning to the event loop and must call `release()` when the call leg ends.
 */
export interface RtpPortPair {
  /** Even UDP port of the RTP socket. */
  readonly rtpPort: number;
  /** `rtpPort + 1`, the UDP port of the RTCP socket. */
  readonly rtcpPort: number;
  /** Socket bound on `host:rtpPort`. */
  readonly rtp: dgram.Socket;
  /** Socket bound on `host:rtcpPort`. */
  readonly rtcp: dgram.Socket;
  /** Closes both sockets and returns the pair to the allocator. Safe to call more than once. */
  release(): void;
}

/** Options of a `PortAllocator`. */
export interface PortAllocatorOptions {
  /** Lowest usable port (inclusive), 1..65535; odd values start at the next even port. */
  min: number;
  /** Highest usable port (inclusive), 1..65535; the last pair must fit (`rtcpPort ≤ max`). */
  max: number;
  /** Local address the sockets bind on (IPv4 or IPv6 literal; `0.0.0.0` for all interfaces). */
  host: string;
  /**
   * Bound on the number of pairs tried with the operating system per `allocatePair()` call
   * (pairs this allocator already holds are skipped without counting). Default 64.
   */
  maxAttempts?: number;
  /** Source of randomness in [0, 1) for the starting offset; default `Math.random`. */
  random?: () => number;
}

/** Bind errors after which the next pair is tried: the port is taken or refused by the OS. */
const SKIPPABLE_BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EPERM']);

/**
 * Hands out bound RTP/RTCP socket pairs on even/odd ports of `[min, max]`.
 *
 * Each call starts at a random even offset (so a port just released is unlikely to be reused at
 * once and to receive a stray stream of the previous call), walks the range cyclically, skips
 * ports it already holds and ports the operating system refuses, and gives up after
 * `maxAttempts` refused binds or one full turn of the range.
 */
export class PortAllocator {
  private readonly firstEven: number;
  private readonly pairCount: number;
  private readonly family: 'udp4' | 'udp6';
  private readonly maxAttempts: number;
  private readonly random: () => number;
  /** Even ports held by this allocator (bound or being bound). */
  private readonly held = new Set<number>();

  /**
   * @throws InvalidArgumentError when `min`/`max` are not ports, `min > max`, or the range holds no
   *   even/odd pair.
   */
  constructor(private readonly opts: PortAllocatorOptions) {
    const { min, max } = opts;
    if (!isPort(min) || !isPort(max) || min > max) {
      throw new InvalidArgumentError(`Invalid RTP port range ${min}..${max}`);
    }
    this.firstEven = min % 2 === 0 ? min : min + 1;
    this.pairCount = this.firstEven + 1 <= max ? Math.floor((max - this.firstEven - 1) / 2) + 1 : 0;
    if (this.pairCount === 0) {
      throw new InvalidArgumentError(`RTP port range ${min}..${max} holds no even/odd port pair`);
    }
    this.family = isIPv6(opts.host) ? 'udp6' : 'udp4';
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 64);
    this.random = opts.random ?? Math.random;
  }

  /** Number of pairs the range holds in total. */
  capacity(): number {
    return this.pairCount;
  }

  /** Number of pairs currently allocated (not yet released). */
  inUse(): number {
    return this.held.size;
  }

  /**
   * Binds the next free pair.
   * @returns the bound pair; RTP on an even port, RTCP on the following odd port.
   * @throws PortRangeExhaustedError when every pair is held, refused, or `maxAttempts` binds failed.
   * @throws Error (the OS error) when binding fails for a reason other than a busy or forbidden port,
   *   e.g. `EADDRNOTAVAIL` for a host address this machine does not have.
   */
  async allocatePair(): Promise<RtpPortPair> {
    const start = Math.min(this.pairCount - 1, Math.floor(this.random() * this.pairCount));
    let attempts = 0;
    for (let i = 0; i < this.pairCount && attempts < this.maxAttempts; i++) {
      const rtpPort = this.firstEven + 2 * ((start + i) % this.pairCount);
      if (this.held.has(rtpPort)) continue;
      this.held.add(rtpPort); // reserve before awaiting, so concurrent calls pick other ports
      attempts++;
      try {
        const pair = await this.bindPair(rtpPort);
        if (pair) return pair;
      } catch (err) {
        this.held.delete(rtpPort);
        throw err;
      }
      this.held.delete(rtpPort);
    }
    const detail =
      attempts === 0 ? 'all pairs in use' : `${attempts} bind attempt(s) refused, ${this.held.size} pair(s) in use`;
    throw new PortRangeExhaustedError(this.opts.min, this.opts.max, detail);
  }

  /** Binds both sockets; `undefined` when the OS refuses either port (both then closed). */
  private async bindPair(rtpPort: number): Promise<RtpPortPair | undefined> {
    const rtp = await this.bindOne(rtpPort);
    if (!rtp) return undefined;
    let rtcp: dgram.Socket | undefined;
    try {
      rtcp = await this.bindOne(rtpPort + 1);
    } catch (err) {
      rtp.close();
      throw err;
    }
    if (!rtcp) {
      rtp.close();
      return undefined;
    }
    return this.makePair(rtpPort, rtp, rtcp);
  }

  /** Binds one socket; `undefined` on a skippable error, rethrows any other error. */
  private bindOne(port: number): Promise<dgram.Socket | undefined> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: this.family, reuseAddr: false });
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.off('listening', onListening);
        socket.close();
        if (err.code && SKIPPABLE_BIND_ERRORS.has(err.code)) resolve(undefined);
        else reject(err);
      };
      const onListening = (): void => {
        socket.off('error', onError);
        resolve(socket);
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind({ port, address: this.opts.host, exclusive: true });
    });
  }

  private makePair(rtpPort: number, rtp: dgram.Socket, rtcp: dgram.Socket): RtpPortPair {
    const open = new Set<dgram.Socket>([rtp, rtcp]);
    let released = false;
    const free = (): void => {
      if (released) return;
      released = true;
      this.held.delete(rtpPort);
    };
    for (const s of [rtp, rtcp]) {
      // A socket closed directly by its owner is no longer ours to close; once both are closed the
      // ports are free again even if release() is never called.
      s.once('close', () => {
        open.delete(s);
        if (open.size === 0) free();
      });
    }
    return {
      rtpPort,
      rtcpPort: rtpPort + 1,
      rtp,
      rtcp,
      release: (): void => {
        for (const s of [...open]) {
          open.delete(s);
          s.close();
        }
        free();
      },
    };
  }
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}
