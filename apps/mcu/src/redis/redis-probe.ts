import { connect } from 'node:net';

/**
 * Whether a Redis server answers at `host:port`: sends an inline `PING` (RESP §"Inline commands")
 * and waits for any RESP simple-string or error reply (`+PONG`, or `-NOAUTH …` from a server that
 * wants a password — it still is a Redis).
 *
 * @param timeoutMs how long to wait for the connection and the reply, in ms.
 * @returns `true` when a RESP reply arrived, `false` on refusal, timeout or a non-Redis answer.
 *   Never throws.
 */
export function probeRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const finish = (answer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => finish(chunk.length > 0 && (chunk[0] === 0x2b || chunk[0] === 0x2d)));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}
