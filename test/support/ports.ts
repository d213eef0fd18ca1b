/**
 * Free loopback ports for processes started by the end-to-end tests.
 *
 * A port is "free" when this process could bind it a moment ago; the port is released before the
 * function returns, so another process may still take it in between (the callers start their child
 * right away, and the retries keep the window small). Ports handed out are also remembered for a
 * while (ranges: until released), so that children started at the same time never get the same
 * port, and a SIPp port never falls into an MCU's RTP range. Only 127.0.0.1 is ever bound.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

/** The only address tests bind to. */
export const LOOPBACK = '127.0.0.1';

/** Ports handed out recently: `[min, max]` until `until` (ms since the epoch). */
const reservations: Array<{ min: number; max: number; until: number }> = [];

/** How long a single port stays reserved: its child binds it long before. */
const PORT_HOLD_MS = 120_000;

function isReserved(port: number): boolean {
  const now = Date.now();
  for (let i = reservations.length - 1; i >= 0; i--) if (reservations[i].until <= now) reservations.splice(i, 1);
  return reservations.some((r) => port >= r.min && port <= r.max);
}

function reserve(min: number, max: number, holdMs: number): void {
  reservations.push({ min, max, until: Date.now() + holdMs });
}

/** Ends the reservation of `range` (made by {@link freeUdpPortRange}) once its user has exited. */
export function releasePortRange(range: PortRange): void {
  const index = reservations.findIndex((r) => r.min === range.min && r.max === range.max);
  if (index >= 0) reservations.splice(index, 1);
}

/** Binds a UDP socket to `port` (0 = any) on loopback; resolves the bound port, or null when taken. */
function tryBindUdp(port: number): Promise<{ port: number; close: () => Promise<void> } | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(null);
    });
    socket.bind(port, LOOPBACK, () => {
      resolve({
        port: socket.address().port,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}

/** Listens on TCP `port` (0 = any) on loopback; resolves the bound port, or null when taken. */
function tryListenTcp(port: number): Promise<{ port: number; close: () => Promise<void> } | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * A loopback port that is free on both UDP and TCP at once (a SIP listener takes both, RFC 3261 §18).
 * The kernel picks a UDP port (bind to 0), then the same number is tried on TCP.
 *
 * @param attempts how many kernel-chosen ports to try before giving up
 * @throws Error when no such port was found in `attempts` tries
 */
export async function freeUdpTcpPort(attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const udp = await tryBindUdp(0);
    if (!udp) continue;
    const tcp = isReserved(udp.port) ? null : await tryListenTcp(udp.port);
    // Reserved before the sockets close, so a concurrent caller cannot be handed the same port.
    if (tcp) reserve(udp.port, udp.port, PORT_HOLD_MS);
    await udp.close();
    if (tcp) {
      await tcp.close();
      return udp.port;
    }
  }
  throw new Error(`no loopback port free on both UDP and TCP after ${attempts} attempts`);
}

/**
 * A loopback UDP port chosen by the kernel (bind to 0), released before returning.
 *
 * @throws Error when 50 kernel-chosen ports were all reserved here already
 */
export async function freeUdpPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const udp = await tryBindUdp(0);
    if (!udp) continue;
    const taken = isReserved(udp.port);
    if (!taken) reserve(udp.port, udp.port, PORT_HOLD_MS);
    await udp.close();
    if (!taken) return udp.port;
  }
  throw new Error('could not find an unreserved ephemeral loopback UDP port');
}

/**
 * A loopback TCP port chosen by the kernel (bind to 0), released before returning.
 *
 * @throws Error when 50 kernel-chosen ports were all reserved here already
 */
export async function freeTcpPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const tcp = await tryListenTcp(0);
    if (!tcp) continue;
    const taken = isReserved(tcp.port);
    if (!taken) reserve(tcp.port, tcp.port, PORT_HOLD_MS);
    await tcp.close();
    if (!taken) return tcp.port;
  }
  throw new Error('could not find an unreserved ephemeral loopback TCP port');
}

/** An inclusive range of UDP ports, `min` even. */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * A range of `count` consecutive UDP ports (starting on an even port, as RTP wants, RFC 3550 §11)
 * that are free on loopback right now (all of them, unless `maxBusy` allows some). The base is drawn at random from 30000–59998 so that
 * test runs on the same machine rarely pick the same range, and every port of it is bound once to
 * check that nothing holds it.
 *
 * @param count number of ports (≥ 2)
 * @param attempts random bases to try
 * @param maxBusy ports of the range that may be in use or reserved (for large ranges whose user skips
 *   busy ports, such as the MCU's RTP allocator); default 0
 * @param holdMs how long the range stays reserved here (default 120 s; `Infinity` until
 *   {@link releasePortRange})
 * @throws Error when no free range was found
 */
export async function freeUdpPortRange(count: number, attempts = 40, maxBusy = 0, holdMs = PORT_HOLD_MS): Promise<PortRange> {
  if (count < 2) throw new Error(`a port range needs at least 2 ports, got ${count}`);
  for (let i = 0; i < attempts; i++) {
    const min = 30000 + 2 * Math.floor((Math.random() * (29998 - count)) / 2);
    const max = min + count - 1;
    let busy = 0;
    for (let port = min; port <= max && busy <= maxBusy; port++) if (isReserved(port)) busy++;
    if (busy > maxBusy) continue;
    // Reserved while it is checked, so that concurrent callers draw other ranges.
    const candidate = { min, max };
    reserve(min, max, holdMs);
    // One socket at a time, so that large ranges do not run into the descriptor limit.
    for (let port = min; port <= max && busy <= maxBusy; port++) {
      const udp = await tryBindUdp(port);
      if (udp) await udp.close();
      else busy++;
    }
    if (busy <= maxBusy) return candidate;
    releasePortRange(candidate);
  }
  throw new Error(`no free range of ${count} UDP ports found after ${attempts} attempts`);
}
