/**
 * Error hierarchy of the media-mixer library.
 *
 * `MediaMixerError` is the root of everything the library throws on purpose; callers that must map
 * media failures to signalling answers (for example SIP 503 when no RTP port is free) test with
 * `instanceof` against the specific subclasses.
 */

/** Root of every error thrown by the media-mixer library. */
export class MediaMixerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * No RTP/RTCP port pair could be bound in the configured range (`MCU_RTP_PORT_MIN..MAX`).
 * The signalling layer answers the call with 503 Service Unavailable (RFC 3261 §21.5.4).
 */
export class PortRangeExhaustedError extends MediaMixerError {
  /** Lowest port of the range (inclusive). */
  readonly min: number;
  /** Highest port of the range (inclusive). */
  readonly max: number;

  constructor(min: number, max: number, detail: string) {
    super(`No free RTP/RTCP port pair in ${min}..${max}: ${detail}`);
    this.min = min;
    this.max = max;
  }
}

/** A payload or frame that a codec cannot decode (wrong length, bad framing). */
export class CodecError extends MediaMixerError {}

/** A caller passed an argument outside the documented domain (programming error, not network input). */
export class InvalidArgumentError extends MediaMixerError {}

/**
 * A malformed RTP or RTCP packet from the network (RFC 3550 §A.1, §A.2 validity checks). `reason`
 * names the check that failed; the packet is dropped and counted, never thrown past the socket.
 */
export class PacketFormatError extends MediaMixerError {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * A negotiated codec the media plane cannot run (e.g. Opus without a libopus binding). The
 * signalling layer should not offer or accept it; at leg start it fails the leg clearly.
 */
export class UnsupportedCodecError extends MediaMixerError {
  constructor(
    readonly codec: string,
    detail: string,
  ) {
    super(`Codec ${codec} unsupported: ${detail}`);
  }
}
