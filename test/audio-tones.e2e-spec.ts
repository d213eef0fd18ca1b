/**
 * Mix-minus audio with real SIP phones: three baresip instances (Debian's build, headless) dial one
 * room, each with a single codec — PCMU, PCMA, opus — and each plays its own tone (440, 1000,
 * 1800 Hz, a WAV through the aufile module) while recording what it receives. In every recording
 * both other tones must be present and at least 20 dB above the phone's own tone. Muting one
 * participant over REST must take its tone out of the others' recordings (≥ 20 dB drop) within
 * 200 ms of the REST response — plus the phones' own receive delay, see RECEIVER_ALLOWANCE_MS —
 * and unmuting must bring it back. Also checked on the way: the codec each leg negotiated and its
 * statistics over REST, the room's event stream (join, mute, leave) and `activeSpeaker`.
 *
 * Recording time axis: the recording holds one decoded frame per packet received (see
 * `tone-phone.ts`), from the first one, and the MCU sends a continuous stream from its 200 OK; so
 * recording time 0 is taken as the wall time CALL_ESTABLISHED reached the test (baresip reports
 * it when the 200 OK arrives). The phone's jitter buffer delays the first packet and every later
 * change alike, so it cancels out.
 */
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { McuRestClient, Participant, Room } from './support/rest-client';
import { SseClient } from './support/sse-client';
import { durationMs, PcmRecording, ratioDb, readWav, toneLevelAt } from './support/tone-analysis';
import { startTonePhone, TonePhone } from './support/tone-phone';
import { delay, waitFor } from './support/wait';

jest.setTimeout(120_000);

/**
 * What the phone adds between the MCU's egress and its recording: baresip 1.0.0's jitter buffer
 * holds 5–10 packets (100–200 ms at 20 ms) before playout, plus its 20 ms player period and the
 * uncertainty of recording time 0. A mute that takes effect within the MCU's one frame shows up
 * about 120–200 ms after the REST response; one that does not work never shows up.
 */
const RECEIVER_ALLOWANCE_MS = 100;
/** The bound the MCU must meet, ms after the REST response. */
const MUTE_BOUND_MS = 200;
/** Analysis window length for the edge search, ms (8 kHz: 320 samples, 25 Hz resolution). */
const EDGE_WINDOW_MS = 40;
/** Edge search step, ms. */
const EDGE_STEP_MS = 10;

interface PhoneSpec {
  label: string;
  codec: string;
  codecModule?: string;
  frequency: number;
  /** The codec name the MCU reports in the participant's statistics. */
  negotiated: string;
}

const SPECS: PhoneSpec[] = [
  { label: 'pcmu', codec: 'PCMU/8000/1', frequency: 440, negotiated: 'PCMU' },
  { label: 'pcma', codec: 'PCMA/8000/1', frequency: 1000, negotiated: 'PCMA' },
  { label: 'opus', codec: 'opus/48000/2', codecModule: 'opus.so', frequency: 1800, negotiated: 'opus' },
];

interface Leg {
  spec: PhoneSpec;
  tone: TonePhone;
  /** Wall time (Date.now()) of CALL_ESTABLISHED: time 0 of the recording. */
  established: number;
  participant: Participant;
}

/** Level of `frequency` in the leg's recording over wall-clock window `[fromWall, toWall)`. */
function levelAt(rec: PcmRecording, leg: Leg, frequency: number, fromWall: number, toWall: number): number {
  return toneLevelAt(rec, frequency, fromWall - leg.established, toWall - leg.established);
}

/**
 * First wall time t in `[from, to)` (step EDGE_STEP_MS) from which every window up to `to` satisfies
 * `ok(level)`; undefined when none does.
 */
function settledFrom(rec: PcmRecording, leg: Leg, frequency: number, from: number, to: number, ok: (level: number) => boolean): number | undefined {
  let candidate: number | undefined;
  for (let t = from; t + EDGE_WINDOW_MS <= to; t += EDGE_STEP_MS) {
    if (ok(levelAt(rec, leg, frequency, t, t + EDGE_WINDOW_MS))) candidate ??= t + EDGE_WINDOW_MS;
    else candidate = undefined;
  }
  return candidate;
}

describe('three SIP phones (PCMU, PCMA, opus) in one room hear each other but not themselves', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let room: Room;
  let events: SseClient | undefined;
  const tones: TonePhone[] = [];
  const legs: Leg[] = [];

  beforeAll(async () => {
    // H.323 off: its fixed listener port (1720) is not what this test is about.
    mcu = await McuProcess.start({ label: 'audio-tones', logLevel: 'info', env: { MCU_H323_ENABLED: 'false' } });
    rest = new McuRestClient(mcu.baseUrl);
    room = await rest.createRoom({ name: 'tone room', number: '7700' });
    events = await SseClient.open(`${mcu.baseUrl}/api/rooms/${room.id}/events`);
    for (const spec of SPECS) {
      tones.push(await startTonePhone({ label: `tones-${spec.label}`, codec: spec.codec, codecModule: spec.codecModule, frequency: spec.frequency, seconds: 60 }));
    }
  });

  afterAll(async () => {
    await events?.close();
    await killAllChildren();
    for (const tone of tones) await tone.phone.dispose();
    await mcu?.dispose();
  });

  it('connects each phone with the only codec it offered, and media flows both ways', async () => {
    for (const [i, spec] of SPECS.entries()) {
      const tone = tones[i];
      const known = new Set(legs.map((l) => l.participant.id));
      expect((await tone.phone.dial(`sip:${room.number}@${mcu.sipAddress}`)).ok).toBe(true);
      await tone.phone.waitForEvent('CALL_ESTABLISHED', 15_000);
      const established = Date.now();
      const participant = await waitFor(`${spec.label} in the roster`, async () =>
        (await rest.participants(room.id)).find((p) => !known.has(p.id) && p.state === 'connected' && p.remote.includes(`:${tone.phone.sipPort}`)),
      );
      legs.push({ spec, tone, established, participant });
    }
    for (const leg of legs) {
      const stats = await waitFor(`RTP both ways for ${leg.spec.label}`, async () => {
        const res = await rest.request<{ codec: string; packetsIn: number; packetsOut: number; bytesIn: number; bytesOut: number; jitterMs: number }>(
          'GET',
          `/api/rooms/${room.id}/participants/${leg.participant.id}/stats`,
        );
        return res.status === 200 && res.body.packetsIn > 50 && res.body.packetsOut > 50 ? res.body : undefined;
      });
      expect(stats.codec).toBe(leg.spec.negotiated);
      expect(stats.bytesIn).toBeGreaterThan(0);
      expect(stats.bytesOut).toBeGreaterThan(0);
      expect(stats.jitterMs).toBeGreaterThanOrEqual(0);
    }
    expect((await rest.request('GET', `/api/rooms/${room.id}/participants/00000000-0000-4000-8000-000000000000/stats`)).status).toBe(404);
    expect((await rest.request('GET', `/api/rooms/nosuchroom00/participants/${legs[0].participant.id}/stats`)).status).toBe(404);
  });

  it('puts both other tones in every recording, each ≥ 20 dB above the phone\'s own tone', async () => {
    const allIn = Math.max(...legs.map((l) => l.established));
    await delay(3500);
    for (const leg of legs) {
      const rec = readWav(leg.tone.recordingFile());
      // After the first second with everyone in: 2 s of steady mix.
      const from = allIn + 1000;
      const to = allIn + 3000;
      expect(durationMs(rec)).toBeGreaterThan(to - leg.established);
      const own = levelAt(rec, leg, leg.spec.frequency, from, to);
      for (const other of legs.filter((l) => l !== leg)) {
        const level = levelAt(rec, leg, other.spec.frequency, from, to);
        // Present: well above G.711/opus noise (a −12 dBFS tone arrives at about 8000).
        expect({ listener: leg.spec.label, tone: other.spec.frequency, present: level > 2000 }).toEqual({ listener: leg.spec.label, tone: other.spec.frequency, present: true });
        expect(ratioDb(level, own)).toBeGreaterThanOrEqual(20);
      }
    }
  });

  it('mute over REST takes the tone out of the others\' recordings within the bound; unmute brings it back', async () => {
    const muted = legs.find((l) => l.spec.label === 'pcma') as Leg;
    const listeners = legs.filter((l) => l !== muted);
    const patch = async (value: boolean): Promise<number> => {
      const res = await rest.request<Participant>('PATCH', `/api/rooms/${room.id}/participants/${muted.participant.id}`, { muted: value });
      const at = Date.now();
      expect(res.status).toBe(200);
      expect(res.body.muted).toBe(value);
      return at;
    };
    const mutedAt = await patch(true);
    await delay(2000);
    const unmutedAt = await patch(false);
    await delay(2000);
    const end = Date.now() - 200;

    for (const leg of listeners) {
      const rec = readWav(leg.tone.recordingFile());
      const other = legs.find((l) => l !== leg && l !== muted) as Leg;
      const before = levelAt(rec, leg, muted.spec.frequency, mutedAt - 1000, mutedAt - 100);
      expect(before).toBeGreaterThan(2000);
      const quiet = (level: number): boolean => ratioDb(before, level) >= 20;
      const loud = (level: number): boolean => ratioDb(before, level) <= 6;

      // The drop: from some instant on, every window until the unmute is ≥ 20 dB down …
      const dropAt = settledFrom(rec, leg, muted.spec.frequency, mutedAt - 200, unmutedAt, quiet);
      expect({ listener: leg.spec.label, dropAfterMs: dropAt === undefined ? 'never' : dropAt - mutedAt }).toEqual({
        listener: leg.spec.label,
        dropAfterMs: expect.any(Number),
      });
      expect((dropAt as number) - mutedAt).toBeLessThanOrEqual(MUTE_BOUND_MS + RECEIVER_ALLOWANCE_MS);
      // … while the third participant's tone goes on (the recording is live and aligned).
      expect(levelAt(rec, leg, other.spec.frequency, mutedAt + 500, unmutedAt - 100)).toBeGreaterThan(2000);

      // The return: from some instant on, every window until the end is within 6 dB of before.
      const backAt = settledFrom(rec, leg, muted.spec.frequency, unmutedAt - 200, end, loud);
      expect({ listener: leg.spec.label, backAfterMs: backAt === undefined ? 'never' : backAt - unmutedAt }).toEqual({
        listener: leg.spec.label,
        backAfterMs: expect.any(Number),
      });
      expect((backAt as number) - unmutedAt).toBeLessThanOrEqual(MUTE_BOUND_MS + RECEIVER_ALLOWANCE_MS);
      process.stdout.write(`${leg.spec.label} hears ${muted.spec.frequency} Hz drop ${(dropAt as number) - mutedAt} ms after the mute response, return ${(backAt as number) - unmutedAt} ms after the unmute response\n`);
    }
  });

  it('reports joins, mute changes and the active speaker', async () => {
    const ids = legs.map((l) => l.participant.id);
    const current = await rest.request<Room & { activeSpeaker: string | null }>('GET', `/api/rooms/${room.id}`);
    expect(current.status).toBe(200);
    expect(current.body.activeSpeaker === null || ids.includes(current.body.activeSpeaker)).toBe(true);
    const sse = events as SseClient;
    expect(sse.events<{ participantId: string }>('join').map((e) => e.participantId)).toEqual(ids);
    const pcma = legs[1].participant.id;
    expect(sse.events<{ participantId: string; muted: boolean }>('mute')).toEqual([
      expect.objectContaining({ type: 'mute', roomId: room.id, participantId: pcma, muted: true }),
      expect.objectContaining({ type: 'mute', roomId: room.id, participantId: pcma, muted: false }),
    ]);
    for (const e of sse.events<{ participantId: string | null }>('active-speaker')) expect(e.participantId === null || ids.includes(e.participantId)).toBe(true);
  });

  it('hangs up every phone, ends the event stream and exits 0 on SIGTERM', async () => {
    expect(await mcu.stop()).toEqual({ code: 0, signal: null });
    for (const leg of legs) await leg.tone.phone.waitForEvent('CALL_CLOSED', 5000);
    expect(await (events as SseClient).waitForEnd(2000)).toBe(true);
    expect((events as SseClient).events<{ participantId: string }>('leave').map((e) => e.participantId).sort()).toEqual(legs.map((l) => l.participant.id).sort());
  });
});
