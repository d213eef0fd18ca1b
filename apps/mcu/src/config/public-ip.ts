import { networkInterfaces } from 'node:os';

/** The subset of `os.networkInterfaces()` that address detection reads. */
export type InterfaceTable = Record<string, Array<{ address: string; family: string | number; internal: boolean }> | undefined>;

/**
 * The address to advertise when `MCU_PUBLIC_IP` is not set: the first non-internal IPv4 address
 * of the host (interfaces in the order the OS lists them), else `127.0.0.1`.
 *
 * @param interfaces the interface table; defaults to `os.networkInterfaces()` (injectable for tests).
 */
export function detectPublicIp(interfaces: InterfaceTable = networkInterfaces()): string {
  for (const addresses of Object.values(interfaces)) {
    for (const entry of addresses ?? []) {
      // Node 18.0–18.3 reported `family` as a number.
      const isV4 = entry.family === 'IPv4' || entry.family === 4;
      if (isV4 && !entry.internal) return entry.address;
    }
  }
  return '127.0.0.1';
}
