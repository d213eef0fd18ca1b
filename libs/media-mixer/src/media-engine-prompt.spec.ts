import type { AudioLegParams } from './audio/audio-leg-params';
import { PIN_PROMPT_TONE } from './audio/tone-source';
import { InvalidArgumentError } from './errors';
import { RtpTestParticipant } from './fixtures/rtp-test-participant';
import { MediaEngine } from './media-engine';

const HOST = '127.0.0.1';
const PROMPT_HZ = 1000;
const OTHER_HZ = 1800;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const db = (a: number, b: number): number => 20 * Math.log10(a / Math.max(b, 1e-3));

/** An even port below the kernel's ephemeral range (32768+), where the participants' sockets land. */
function randomBase(): number {
  return 20000 + 2 * Math.floor(Math.random() * 6000);
}

const pcmu = (remotePort: number): AudioLegParams => ({
  remoteAddress: HOST,
  remotePort,
  rtcpMux: false,
  payloadType: 0,
  codec: 'PCMU',
  clockRate: 8000,
  channels: 1,
  ptimeMs: 20,
  direction: 'sendrecv',
});

// Real sockets and real time: each test runs about 2 s of audio.
jest.setTimeout(20_000);

describe('MediaEngine: prompt tones to legs not in a room yet', () => {
  let engine: MediaEngine;
  let participants: RtpTestParticipant[];

  beforeEach(() => {
    const base = randomBase();
    engine = new MediaEngine({ portMin: base, portMax: base + 99, host: HOST, publicAddress: HOST, rtcpIntervalMs: 400 });
    participants = [];
  });

  afterEach(async () => {
    for (const p of participants) p.close();
    await engine.close();
    expect(engine.portUsage().inUse).toBe(0);
  });

  async function participant(toneHz?: number): Promise<RtpTestParticipant> {
    const p = await new RtpTestParticipant({ codec: 'PCMU', payloadType: 0, toneHz }).open();
    participants.push(p);
    return p;
  }

  it('the prompted leg hears the tone, then the room mix (no tone) on the same ports once started in the room', async () => {
    const other = await participant(OTHER_HZ);
    const otherAlloc = await engine.allocateLeg();
    engine.startLeg('r', otherAlloc, pcmu(other.port));
    other.start(otherAlloc.localPort);

    const caller = await participant();
    const alloc = await engine.allocateLeg();
    engine.startPrompt(alloc, pcmu(caller.port), { frequencies: [PROMPT_HZ], levelDbfs: -10 });
    caller.start(alloc.localPort);
    expect(engine.isPrompting(alloc.legId)).toBe(true);
    expect(engine.legsOf('r')).toEqual([otherAlloc.legId]);
    await sleep(700);
    const joinAt = performance.now();
    const [promptTone, promptOther] = caller.tones([PROMPT_HZ, OTHER_HZ], joinAt - 500, joinAt);
    expect(promptTone).toBeGreaterThan(5000);
    expect(db(promptTone, promptOther)).toBeGreaterThanOrEqual(20);
    // Nothing of the prompted caller reaches the room.
    expect(other.tones([PROMPT_HZ], joinAt - 500, joinAt)[0]).toBeLessThan(promptTone / 100);

    engine.startLeg('r', alloc, pcmu(caller.port));
    expect(engine.isPrompting(alloc.legId)).toBe(false);
    expect(engine.legsOf('r')).toEqual([otherAlloc.legId, alloc.legId]);
    await sleep(800);
    const end = performance.now();
    const [roomTone, roomOther] = caller.tones([PROMPT_HZ, OTHER_HZ], joinAt + 200, end);
    expect(roomOther).toBeGreaterThan(2000);
    expect(db(promptTone, roomTone)).toBeGreaterThanOrEqual(20);
    // Same ports: the room leg latched onto the caller's stream arriving at the allocation's port.
    const stats = engine.stats(alloc.legId);
    expect(stats.latched).toBe(true);
    expect(stats.packetsIn).toBeGreaterThan(10);
    expect(caller.audioPackets().every((r) => r.packet.header.payloadType === 0)).toBe(true);
  });

  it('the PIN prompt cadence reaches the caller: beeps and pauses', async () => {
    const caller = await participant();
    const alloc = await engine.allocateLeg();
    engine.startPrompt(alloc, pcmu(caller.port), PIN_PROMPT_TONE);
    caller.start(alloc.localPort);
    await sleep(1200);
    const packets = caller.audioPackets();
    expect(packets.length).toBeGreaterThan(40);
    const levels = packets.map((r) => caller.tones([PROMPT_HZ], r.at, r.at + 0.001)[0]);
    expect(levels.filter((l) => l > 2000).length).toBeGreaterThanOrEqual(10); // about 20 packets of beep
    expect(levels.filter((l) => l < 10).length).toBeGreaterThanOrEqual(20); // the pause
  });

  it('stopPrompt ends the tone and keeps the ports; releasing a prompted allocation frees them', async () => {
    const caller = await participant();
    const alloc = await engine.allocateLeg();
    engine.startPrompt(alloc, pcmu(caller.port), { frequencies: [PROMPT_HZ] });
    caller.start(alloc.localPort);
    await sleep(300);
    await engine.stopPrompt(alloc.legId);
    const count = caller.audioPackets().length;
    expect(count).toBeGreaterThan(5);
    expect(engine.portUsage().inUse).toBe(1);
    await sleep(200);
    expect(caller.audioPackets().length).toBe(count);
    await engine.stopPrompt(alloc.legId); // no prompt: no-op

    engine.startPrompt(alloc, pcmu(caller.port), { frequencies: [PROMPT_HZ] });
    await engine.stopLeg(alloc.legId);
    expect(engine.portUsage().inUse).toBe(0);
    expect(engine.isPrompting(alloc.legId)).toBe(false);
  });

  it('refuses a prompt for an allocation not held, a leg in a room, or an impossible tone', async () => {
    const caller = await participant();
    const alloc = await engine.allocateLeg();
    expect(() => engine.startPrompt(alloc, pcmu(caller.port), { frequencies: [] })).toThrow(InvalidArgumentError);
    expect(() => engine.startPrompt(alloc, { ...pcmu(caller.port), payloadType: 128 }, { frequencies: [PROMPT_HZ] })).toThrow(InvalidArgumentError);
    expect(engine.isPrompting(alloc.legId)).toBe(false);
    engine.startLeg('r', alloc, pcmu(caller.port));
    expect(() => engine.startPrompt(alloc, pcmu(caller.port), { frequencies: [PROMPT_HZ] })).toThrow(InvalidArgumentError);
    alloc.release();
    await sleep(50);
    expect(() => engine.startPrompt(alloc, pcmu(caller.port), { frequencies: [PROMPT_HZ] })).toThrow(InvalidArgumentError);
  });
});
