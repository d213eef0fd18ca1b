import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { h323IdAlias } from './ras-alias';
import { startRasPair, until, type RasPair } from './ras-test-harness';

/**
 * Wireshark's H.225.0 RAS dissector checks our PDUs on the wire (issue "What must hold" 5): the loopback
 * exchange between RasEndpoint and the test gatekeeper (GRQ/GCF, RRQ/RCF, keep-alive RRQ/RCF, ARQ/ACF,
 * DRQ/DCF, URQ/UCF) is captured with tshark and dissected with "Decode As" H.225.0 on the gatekeeper's
 * ephemeral port; no packet may be malformed or carry an expert error. Capturing needs root (CI runs as root).
 */
const run = promisify(execFile);

function captureUnavailable(): string | undefined {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'tshark is not installed';
  }
  if (process.getuid?.() !== 0) return 'capturing on lo needs root';
  return undefined;
}

const unavailable = captureUnavailable();
const describeCapture = unavailable ? describe.skip : describe;

/** Starts tshark on lo and resolves once it reports "Capture started" (bounded). */
async function startCapture(filter: string, file: string): Promise<ChildProcess> {
  const tshark = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  tshark.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(() => stderr.includes('Capture started') || tshark.exitCode !== null, 10_000, 'tshark to start capturing');
  if (tshark.exitCode !== null) throw new Error(`tshark exited: ${stderr}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return tshark;
}

async function stopCapture(tshark: ChildProcess): Promise<void> {
  if (tshark.exitCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise((resolve) => tshark.once('exit', resolve));
  tshark.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
  if (tshark.exitCode === null) tshark.kill('SIGKILL');
}

describeCapture(`RAS exchange dissected by tshark${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let pair: RasPair | undefined;
  let tshark: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ras-tshark-'));
  });
  afterAll(async () => {
    if (tshark) await stopCapture(tshark);
    await pair?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every RAS message of registration, keep-alive, admission and unregistration, none malformed', async () => {
    const p = await startRasPair({ timeToLive: 60 }, {}, { start: false });
    pair = p;
    const gkPort = p.gk.address.port;
    const file = join(dir, 'ras.pcapng');
    tshark = await startCapture(`udp port ${gkPort}`, file);
    await p.ep.start();
    await p.reach('registered');
    const since = p.gk.received.length;
    p.clock.advance(41_000);
    await p.gk.waitFor((r) => r.message.tag === 'registrationRequest' && r.message.value.keepAlive === true, 2000, since);
    await until(() => p.ep.stats!.received >= 3, 2000, 'keep-alive RCF');
    const callIdentifier = randomBytes(16);
    await expect(p.ep.admitIncoming({
      callIdentifier, conferenceID: randomBytes(16), callReferenceValue: 3, srcInfo: [h323IdAlias('caller')], destinationInfo: p.aliases, bandwidth: 1280,
    })).resolves.toBe('admitted');
    await p.ep.disengage(callIdentifier);
    await p.ep.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stopCapture(tshark);
    tshark = undefined;

    const decodeAs = ['-r', file, '-d', `udp.port==${gkPort},h225`];
    const { stdout } = await run('tshark', [...decodeAs, '-T', 'fields', '-E', 'separator=|', '-e', '_ws.col.Info', '-e', 'h225.keepAlive']);
    const rows = stdout.trim().split('\n').map((line) => line.split('|'));
    const infos = rows.map(([info]) => info.replace(/^RAS: /, '').trim());
    expect(infos).toEqual([
      'gatekeeperRequest', 'gatekeeperConfirm',
      'registrationRequest', 'registrationConfirm',
      'registrationRequest', 'registrationConfirm',
      'admissionRequest', 'admissionConfirm',
      'disengageRequest', 'disengageConfirm',
      'unregistrationRequest', 'unregistrationConfirm',
    ]);
    expect(rows[2][1]).toMatch(/^(0|False)$/);
    expect(rows[4][1]).toMatch(/^(1|True)$/);
    const bad = await run('tshark', [...decodeAs, '-Y', '_ws.malformed || _ws.expert.severity >= error']);
    expect(bad.stdout.trim()).toBe('');
  }, 30_000);
});
