/**
 * Free loopback ports for processes started by the end-to-end tests and benchmarks.
 *
 * Ports are drawn at random from fixed regions and checked by binding them once: single ports and
 * the peers' media ports (SIPp, baresip) from 10000–19999, the MCU's RTP ranges from 20000–59999, so
 * that a large MCU range never crowds out the peers. A checked port is released before the function
 * returns, so another process may still take it in between (callers start their child right away).
 * Ports handed out are remembered (single ports for 2 minutes, ranges as long as asked), so that
 * children started at the same time from this process never get the same port. Only 127.0.0.1 is
 * ever bound.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

/** The only address tests bind to. */
export const LOOPBACK = '127.0.0.1';

/** An inclusive range of ports. */
export interface PortRange {
  min: number;
  max: number;
}

/** Where ports are drawn from. */
export const PORT_REGIONS = {
  /** SIP, HTTP and control ports, and the peers' media ports. */
  peers: { from: 10000, to: 19999 },
  /** The MCU's RTP/RTCP ranges. */
  mcuRtp: { from: 20000, to: 59999 },
} as const;

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

/** True when a UDP socket could bind `port` on loopback (it is closed again before resolving). */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, LOOPBACK, () => socket.close(() => resolve(true)));
  });
}

/** True when a TCP server could listen on `port` on loopback (it is closed again before resolving). */
function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A random port of the peers' region that passes `check` and is not reserved; it is reserved
 * before the check runs, so that concurrent callers draw other ports.
 */
async function pickPort(what: string, check: (port: number) => Promise<boolean>, attempts = 200): Promise<number> {
  const { from, to } = PORT_REGIONS.peers;
  for (let i = 0; i < attempts; i++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (isReserved(port)) continue;
    reserve(port, port, PORT_HOLD_MS);
    if (await check(port)) return port;
    releasePortRange({ min: port, max: port });
  }
  throw new Error(`no free ${what} port in ${from}–${to} after ${attempts} attempts`);
}

/**
 * A loopback port free on both UDP and TCP at once (a SIP listener takes both, RFC 3261 §18).
 *
 * @throws Error when none was found
 */
export function freeUdpTcpPort(): Promise<number> {
  return pickPort('UDP+TCP', async (port) => (await udpFree(port)) && (await tcpFree(port)));
}

/**
 * A loopback port free on UDP and TCP whose next port is free on TCP too, both reserved: the SIP
 * port of a baresip 1.0, which also listens (TLS) on its SIP port + 1 whatever its transports.
 *
 * @throws Error when none was found
 */
export function freeBaresipSipPort(): Promise<number> {
  return pickPort('UDP+TCP with the next port free on TCP', async (port) => {
    if (port >= PORT_REGIONS.peers.to || isReserved(port + 1)) return false;
    if (!((await udpFree(port)) && (await tcpFree(port)) && (await tcpFree(port + 1)))) return false;
    reserve(port + 1, port + 1, PORT_HOLD_MS);
    return true;
  });
}

/**
 * A free loopback UDP port.
 *
 * @throws Error when none was found
 */
export function freeUdpPort(): Promise<number> {
  return pickPort('UDP', udpFree);
}

/**
 * A free loopback TCP port.
 *
 * @throws Error when none was found
 */
export function freeTcpPort(): Promise<number> {
  return pickPort('TCP', tcpFree);
}

/** Options for {@link freeUdpPortRange}. */
export interface PortRangeOptions {
  /** Number of consecutive ports (≥ 2). */
  count: number;
  /** Region to draw from (default {@link PORT_REGIONS}.mcuRtp). */
  region?: { from: number; to: number };
  /**
   * Ports that may be in use or reserved (for large ranges whose user skips busy ports, such as the
   * MCU's RTP allocator); default 0.
   */
  maxBusy?: number;
  /** How long the range stays reserved here (default 120 s; `Infinity` until {@link releasePortRange}). */
  holdMs?: number;
  /** Random bases to try (default 40). */
  attempts?: number;
}

/**
 * A range of `count` consecutive UDP ports (starting on an even port, as RTP wants, RFC 3550 §11)
 * that are free on loopback right now (all of them, unless `maxBusy` allows some). The base is drawn
 * at random inside the region so that runs on the same machine rarely pick the same range, and every
 * port of it is bound once to check that nothing holds it.
 *
 * @throws Error when the range does not fit the region, or no free range was found
 */
export async function freeUdpPortRange(options: PortRangeOptions): Promise<PortRange> {
  const { count, region = PORT_REGIONS.mcuRtp, maxBusy = 0, holdMs = PORT_HOLD_MS, attempts = 40 } = options;
  if (count < 2) throw new Error(`a port range needs at least 2 ports, got ${count}`);
  const span = region.to - region.from + 1 - count;
  if (span < 0) throw new Error(`${count} ports do not fit ${region.from}–${region.to}`);
  for (let i = 0; i < attempts; i++) {
    const min = region.from + 2 * Math.floor((Math.random() * span) / 2);
    const max = min + count - 1;
    let busy = 0;
    for (let port = min; port <= max && busy <= maxBusy; port++) if (isReserved(port)) busy++;
    if (busy > maxBusy) continue;
    // Reserved while it is checked, so that concurrent callers draw other ranges.
    const candidate = { min, max };
    reserve(min, max, holdMs);
    // One socket at a time, so that large ranges do not run into the descriptor limit.
    for (let port = min; port <= max && busy <= maxBusy; port++) if (!(await udpFree(port))) busy++;
    if (busy <= maxBusy) return candidate;
    releasePortRange(candidate);
  }
  throw new Error(`no free range of ${count} UDP ports in ${region.from}–${region.to} after ${attempts} attempts`);
}

/**
 * A UDP socket bound on loopback at `port` (0: any). Errors after binding (ICMP port unreachable
 * when sending to a peer that left) are ignored: they are not the test's failure.
 * @throws the bind error (the socket is closed)
 */
export function bindLoopbackUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, LOOPBACK, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Closes `socket`; resolves when closed, or at once when it already was. Never throws. */
export function closeUdpSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
