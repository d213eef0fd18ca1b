/**
 * A malformed TPKT stream (RFC 1006 §6): wrong version, a length below the header size or above the bound the
 * connection accepts. The stream cannot be re-synchronised after it, so the connection owner answers (H.225.0:
 * ReleaseComplete when a call exists) and closes the connection.
 */
export class TpktError extends Error {
  override readonly name = 'TpktError';
  /**
   * @param message what is wrong, for the log line
   * @param offset octet offset of the bad header in the stream received so far
   */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
