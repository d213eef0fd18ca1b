/**
 * Where call legs get their RTP ports: a seam between the SIP bridge and the media plane's
 * `PortAllocator`, so the bridge can be tested without binding sockets.
 */
import { PortAllocator, PortRangeExhaustedError, type LegAllocation, type RtpPortPair } from '@mcu/media-mixer';

/** One RTP/RTCP port pair held by a call leg for one m-line. */
export interface MediaPorts {
  /** The even RTP port (RTCP on `port + 1`, RFC 3550 §11). */
  readonly port: number;
  /** The bound sockets, for the media plane (absent in fakes). */
  readonly pair?: RtpPortPair;
  /** The media plane's leg holding the pair, to start once negotiated (absent in fakes and bare pairs). */
  readonly allocation?: LegAllocation;
  /** Give the pair back; safe to call twice. */
  release(): void;
}

/** Allocates RTP port pairs. */
export interface MediaPortSource {
  /**
   * Bind the next free pair.
   * @throws MediaPortsExhaustedError when the range is used up (the bridge answers 503).
   */
  allocate(): Promise<MediaPorts>;
}

/** The RTP port range is used up. */
export class MediaPortsExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaPortsExhaustedError';
  }
}

/** The logging call the source makes. */
interface PortLogger {
  warn(obj: object, msg: string): void;
}

/** `MediaPortSource` over the media plane's `PortAllocator` (MCU_RTP_PORT_MIN..MAX). */
export class AllocatorPortSource implements MediaPortSource {
  constructor(
    private readonly allocator: PortAllocator,
    private readonly logger: PortLogger,
  ) {}

  /** @throws MediaPortsExhaustedError; other bind errors as thrown by the allocator. */
  async allocate(): Promise<MediaPorts> {
    let pair: RtpPortPair;
    try {
      pair = await this.allocator.allocatePair();
    } catch (err) {
      if (err instanceof PortRangeExhaustedError) throw new MediaPortsExhaustedError(err.message);
      throw err;
    }
    // Until the media plane takes the sockets over, errors on them are logged here.
    for (const socket of [pair.rtp, pair.rtcp]) {
      socket.on('error', (err) => this.logger.warn({ port: pair.rtpPort, err: err.message }, 'RTP socket error'));
    }
    return { port: pair.rtpPort, pair, release: () => pair.release() };
  }

  /** Pairs in use and the range's capacity (for health reporting). */
  usage(): { inUse: number; capacity: number } {
    return { inUse: this.allocator.inUse(), capacity: this.allocator.capacity() };
  }
}

/** The media plane's leg allocation (`ConferenceMedia.allocate`). */
export type LegAllocator = () => Promise<LegAllocation>;

/**
 * `MediaPortSource` over the media plane's legs: each pair is a `MediaEngine` leg allocation that
 * the conference starts once the offer/answer completes; `release()` stops it (RTCP BYE, ports back).
 */
export class EngineLegSource implements MediaPortSource {
  constructor(private readonly allocateLeg: LegAllocator) {}

  /** @throws MediaPortsExhaustedError; other bind errors as thrown by the engine. */
  async allocate(): Promise<MediaPorts> {
    let allocation: LegAllocation;
    try {
      allocation = await this.allocateLeg();
    } catch (err) {
      if (err instanceof PortRangeExhaustedError) throw new MediaPortsExhaustedError(err.message);
      throw err;
    }
    return { port: allocation.localPort, allocation, release: () => allocation.release() };
  }
}
