import { DtmfReceiver, type ReceivedDtmf } from './audio/dtmf-receiver';
import type { AudioLegParams } from './audio/audio-leg-params';
import { InvalidArgumentError, PortRangeExhaustedError, UnsupportedCodecError } from './errors';
import { RtpTestParticipant, fakeOpusBinding, type RtpTestParticipantOptions } from './fixtures/rtp-test-participant';
import { MediaEngine, type MediaEngineEvents } from './media-engine';
import { TelephoneEvent } from './rtp/telephone-event';

const HOST = '127.0.0.1';
const A = 440;
const B = 1000;
const C = 1800;
const TE = 101;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const db = (a: number, b: number): number => 20 * Math.log10(a / Math.max(b, 1e-3));

/** Waits (bounded) until `predicate` holds. */
async function until(predicate: () => boolean, maxMs = 3000): Promise<void> {
  for (let waited = 0; !predicate(); waited += 20) {
    if (waited >= maxMs) throw new Error('condition not reached');
    await sleep(20);
  }
}

/** An even port below the kernel's ephemeral range (32768+), where the participants' sockets land. */
function randomBase(): number {
  return 20000 + 2 * Math.floor(Math.random() * 6000);
}

// Real sockets and real time: each test runs 1–3 s of audio; generous limits for a loaded machine.
jest.setTimeout(20_000);

describe('MediaEngine: live rooms over loopback', () => {
  let engine: MediaEngine;
  let participants: RtpTestParticipant[];
  let events: { dtmf: MediaEngineEvents['dtmf'][]; speaker: MediaEngineEvents['active-speaker'][] };

  beforeEach(() => {
    const base = randomBase();
    engine = new MediaEngine({ portMin: base, portMax: base + 99, host: HOST, publicAddress: HOST, opus: () => fakeOpusBinding(), rtcpIntervalMs: 400 });
    participants = [];
    events = { dtmf: [], speaker: [] };
    engine.on('dtmf', (e) => events.dtmf.push(e));
    engine.on('active-speaker', (e) => events.speaker.push(e));
  });

  afterEach(async () => {
    for (const p of participants) p.close();
    await engine.close();
    expect(engine.portUsage().inUse).toBe(0);
    for (const p of participants) expect(p.malformed).toEqual([]);
  });

  async function join(
    roomId: string,
    opts: RtpTestParticipantOptions,
    params: Partial<AudioLegParams> = {},
    start = true,
  ): Promise<{ p: RtpTestParticipant; legId: string; localPort: number }> {
    const p = await new RtpTestParticipant(opts).open();
    participants.push(p);
    const alloc = await engine.allocateLeg();
    engine.startLeg(roomId, alloc, {
      remoteAddress: HOST,
      remotePort: p.port,
      rtcpMux: false,
      payloadType: opts.payloadType,
      codec: opts.codec,
      clockRate: opts.codec === 'opus' ? 48000 : 8000,
      channels: 1,
      ptimeMs: opts.ptimeMs ?? 20,
      telephoneEventPt: TE,
      direction: 'sendrecv',
      ...params,
    });
    if (start) p.start(alloc.localPort);
    return { p, legId: alloc.legId, localPort: alloc.localPort };
  }

  /** Own tone vs the others' in one participant's recording window. */
  function heard(p: RtpTestParticipant, own: number, others: number[], from: number, to: number): { own: number; others: number[] } {
    const [ownLevel, ...otherLevels] = p.tones([own, ...others], from, to);
    return { own: ownLevel, others: otherLevels };
  }

  it('mix-minus: PCMU, PCMA and G.722 legs each hear both others ≥ 20 dB above their own tone', async () => {
    const a = await join('r', { codec: 'PCMU', payloadType: 0, toneHz: A });
    const b = await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    const c = await join('r', { codec: 'G722', payloadType: 9, toneHz: C });
    await sleep(1500);
    const to = performance.now();
    const from = to - 700;
    for (const [leg, own, others] of [
      [a, A, [B, C]],
      [b, B, [A, C]],
      [c, C, [A, B]],
    ] as const) {
      const h = heard(leg.p, own, [...others], from, to);
      for (const level of h.others) {
        expect(level).toBeGreaterThan(2000);
        expect(db(level, h.own)).toBeGreaterThanOrEqual(20);
      }
    }
    expect(engine.legsOf('r')).toEqual([a.legId, b.legId, c.legId]);
    const stats = engine.stats(a.legId);
    expect(stats).toEqual(expect.objectContaining({ codec: 'PCMU', payloadType: 0, direction: 'sendrecv', muted: false, held: false, latched: true }));
    expect(stats.packetsIn).toBeGreaterThan(40);
    expect(stats.packetsOut).toBeGreaterThan(40);
    expect(stats.bytesIn).toBe(stats.packetsIn * 160);
    expect(stats.bytesOut).toBe(stats.packetsOut * 160);
    expect(stats.malformed + stats.foreign + stats.unknownPayloadType).toBe(0);
  });

  it('server-side mute removes a tone from everyone’s mix and unmute restores it', async () => {
    const a = await join('r', { codec: 'PCMU', payloadType: 0, toneHz: A });
    const b = await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    const c = await join('r', { codec: 'G722', payloadType: 9, toneHz: C });
    await sleep(1000);
    const muteAt = performance.now();
    engine.setMuted(a.legId, true);
    expect(engine.stats(a.legId).muted).toBe(true);
    await sleep(600);
    const unmuteAt = performance.now();
    engine.setMuted(a.legId, false);
    await sleep(700);
    const end = performance.now();
    for (const listener of [b, c]) {
      const [before] = listener.p.tones([A], muteAt - 500, muteAt);
      const [muted] = listener.p.tones([A], muteAt + 100, unmuteAt);
      const [after] = listener.p.tones([A], unmuteAt + 200, end);
      expect(db(before, muted)).toBeGreaterThanOrEqual(20);
      expect(db(after, muted)).toBeGreaterThanOrEqual(20);
    }
    // The muted participant still hears the others.
    const h = heard(a.p, A, [B, C], muteAt + 100, unmuteAt);
    for (const level of h.others) expect(level).toBeGreaterThan(2000);
  });

  it('hold stops sending to and mixing from a leg; resume restores both with a continuous stream', async () => {
    const a = await join('r', { codec: 'PCMU', payloadType: 0, toneHz: A });
    const b = await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    await sleep(800);
    engine.updateLeg(a.legId, { direction: 'recvonly' }); // the remote sent a=sendonly
    const holdAt = performance.now();
    expect(engine.stats(a.legId).held).toBe(true);
    await sleep(150);
    const countOnHold = a.p.audioPackets().length;
    await sleep(500);
    expect(a.p.audioPackets().length).toBe(countOnHold);
    const [onHold] = b.p.tones([A], holdAt + 150, performance.now());
    const [beforeHold] = b.p.tones([A], holdAt - 400, holdAt);
    expect(db(beforeHold, onHold)).toBeGreaterThanOrEqual(20);

    engine.updateLeg(a.legId, { direction: 'sendrecv' });
    const resumeAt = performance.now();
    await sleep(700);
    const packets = a.p.audioPackets();
    const last = packets[countOnHold - 1].packet.header;
    const next = packets[countOnHold].packet.header;
    expect(next.sequenceNumber).toBe((last.sequenceNumber + 1) & 0xffff);
    expect(next.marker).toBe(true);
    const advanced = (next.timestamp - last.timestamp) >>> 0;
    expect(advanced % 160).toBe(0);
    expect(advanced).toBeGreaterThan(160 * 10); // the timeline ran on during the hold
    const [resumed] = b.p.tones([A], resumeAt + 250, performance.now());
    expect(db(resumed, onHold)).toBeGreaterThanOrEqual(20);
    expect(heard(a.p, A, [B], resumeAt + 100, performance.now()).others[0]).toBeGreaterThan(2000);

    // sendonly from our side (the remote only listens): it hears the mix, nobody hears it.
    engine.updateLeg(a.legId, { direction: 'sendonly' });
    const listenAt = performance.now();
    await sleep(500);
    expect(b.p.tones([A], listenAt + 100, performance.now())[0]).toBeLessThan(resumed / 10);
    expect(a.p.audioPackets().filter((r) => r.at > listenAt + 100).length).toBeGreaterThan(10);
  });

  it('latches to the source of the first packet (symmetric RTP) and ignores other senders', async () => {
    const decoy = await new RtpTestParticipant({ codec: 'PCMU', payloadType: 0 }).open(); // the address in the "SDP"
    participants.push(decoy);
    const real = await new RtpTestParticipant({ codec: 'PCMU', payloadType: 0, toneHz: A }).open();
    participants.push(real);
    const other = await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    const alloc = await engine.allocateLeg();
    engine.startLeg('r', alloc, { remoteAddress: HOST, remotePort: decoy.port, rtcpMux: false, payloadType: 0, codec: 'PCMU', clockRate: 8000, channels: 1, ptimeMs: 20, direction: 'sendrecv' });
    await sleep(100);
    real.start(alloc.localPort);
    await sleep(600);
    const decoyCount = decoy.received.length;
    expect(real.audioPackets().length).toBeGreaterThan(15);
    const stats = engine.stats(alloc.legId);
    expect(stats.latched).toBe(true);
    expect(stats.rtpTarget).toBe(`${HOST}:${real.port}`);
    // A third party on the same host is not mixed.
    const intruder = await new RtpTestParticipant({ codec: 'PCMU', payloadType: 0, toneHz: C }).open();
    participants.push(intruder);
    intruder.start(alloc.localPort);
    await sleep(400);
    const at = performance.now();
    expect(engine.stats(alloc.legId).foreign).toBeGreaterThan(5);
    const [fromIntruder, fromReal] = other.p.tones([C, A], at - 300, at);
    expect(db(fromReal, fromIntruder)).toBeGreaterThanOrEqual(20);
    expect(decoy.received.length).toBe(decoyCount);
  });

  it('turns RFC 4733 events into one dtmf event per key press, repeated end packets included', async () => {
    const a = await join('room-7', { codec: 'PCMU', payloadType: 0, toneHz: A });
    await join('room-7', { codec: 'PCMA', payloadType: 8 });
    await sleep(200);
    a.p.queueDtmf(5, TE, 5, true);
    a.p.queueDtmf(11, TE, 4, false);
    await until(() => events.dtmf.length >= 2);
    await sleep(700); // a lost-end timeout would add a duplicate here
    expect(events.dtmf).toEqual([
      { roomId: 'room-7', legId: a.legId, digit: '5', durationMs: 100 },
      { roomId: 'room-7', legId: a.legId, digit: '#', durationMs: 80 },
    ]);
    expect(engine.stats(a.legId).dtmfReceived).toBe(2);
  });

  it('sends DTMF as RFC 4733 events in the leg’s own stream', async () => {
    const a = await join('r', { codec: 'PCMU', payloadType: 0 });
    await sleep(200);
    engine.sendDtmf(a.legId, '9', 120);
    await sleep(500);
    const digits: ReceivedDtmf[] = [];
    const rx = new DtmfReceiver({ clockRate: 8000, onDigit: (d) => digits.push(d) });
    const all = a.p.received;
    const events = all.filter((r) => r.packet.header.payloadType === TE);
    for (const r of events) rx.onPacket(r.packet.header.timestamp, r.packet.payload, 0);
    expect(digits).toEqual([{ digit: '9', durationMs: 120 }]);
    expect(events[0].packet.header.marker).toBe(true);
    expect(new Set(events.map((r) => r.packet.header.timestamp)).size).toBe(1);
    expect(events.filter((r) => TelephoneEvent.parse(r.packet.payload)[0].end)).toHaveLength(3);
    for (let i = 1; i < all.length; i++) {
      expect(all[i].packet.header.sequenceNumber).toBe((all[i - 1].packet.header.sequenceNumber + 1) & 0xffff);
      expect(all[i].packet.header.ssrc).toBe(all[0].packet.header.ssrc);
    }
    expect(engine.stats(a.legId).dtmfSent).toBe(1);
    expect(() => engine.sendDtmf(a.legId, 'X', 100)).toThrow(InvalidArgumentError);
  });

  it('conceals loss and reorders on the live path', async () => {
    const impair = (i: number): 'send' | 'drop' | 'delay' => (i % 25 === 7 ? 'drop' : i % 10 === 3 ? 'delay' : 'send');
    const a = await join('r', { codec: 'PCMU', payloadType: 0, toneHz: A, impair });
    const b = await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    await sleep(1600);
    const to = performance.now();
    const h = heard(b.p, B, [A], to - 800, to);
    expect(h.others[0]).toBeGreaterThan(3000);
    expect(db(h.others[0], h.own)).toBeGreaterThanOrEqual(20);
    const s = engine.stats(a.legId);
    expect(s.lost).toBeGreaterThanOrEqual(2);
    expect(s.jitterBuffer.concealed).toBeGreaterThanOrEqual(2);
    expect(s.jitterBuffer.duplicates).toBe(0);
  });

  it('keeps one SSRC, consecutive sequence numbers and timestamps while others join and leave; alone means silence', async () => {
    const a = await join('r', { codec: 'PCMU', payloadType: 0, toneHz: A });
    await sleep(400);
    const bJoins = performance.now();
    const b = await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    await sleep(300);
    const c = await join('r', { codec: 'G722', payloadType: 9, toneHz: C });
    await sleep(300);
    await engine.stopLeg(b.legId);
    await sleep(300);
    await engine.stopLeg(c.legId);
    await sleep(300);
    const packets = a.p.audioPackets();
    expect(packets.length).toBeGreaterThan(70);
    for (let i = 1; i < packets.length; i++) {
      const prev = packets[i - 1].packet.header;
      const cur = packets[i].packet.header;
      expect(cur.ssrc).toBe(prev.ssrc);
      expect(cur.sequenceNumber).toBe((prev.sequenceNumber + 1) & 0xffff);
      expect(cur.timestamp).toBe((prev.timestamp + 160) >>> 0);
    }
    const alone = a.p.audio(-Infinity, bJoins);
    expect(alone.length).toBeGreaterThan(1600);
    expect(Math.max(...alone.map(Math.abs))).toBe(0);
    expect(engine.legsOf('r')).toEqual([a.legId]);
  });

  it('gives the floor to the one participant who speaks, and empties it when that leg stops', async () => {
    const a = await join('talk', { codec: 'PCMU', payloadType: 0, toneHz: A });
    await join('talk', { codec: 'PCMA', payloadType: 8 });
    await join('talk', { codec: 'G722', payloadType: 9 });
    await until(() => events.speaker.length >= 1);
    expect(events.speaker).toEqual([{ roomId: 'talk', legId: a.legId }]);
    expect(engine.activeSpeaker('talk')).toBe(a.legId);
    await engine.stopLeg(a.legId);
    expect(events.speaker).toEqual([
      { roomId: 'talk', legId: a.legId },
      { roomId: 'talk', legId: null },
    ]);
  });

  it('takes speech levels from the RFC 6464 header extension when the leg negotiated it', async () => {
    // The quieter sender announces −6 dBov, the louder one silence (127): the announcements decide.
    const loud = await join('ext', { codec: 'PCMU', payloadType: 0, toneHz: A, amplitude: 1000, audioLevel: { id: 3, level: 6 } }, { audioLevelExtensionId: 3 });
    await join('ext', { codec: 'PCMU', payloadType: 0, toneHz: B, amplitude: 8000, audioLevel: { id: 3, level: 127 } }, { audioLevelExtensionId: 3 });
    await join('ext', { codec: 'PCMA', payloadType: 8 });
    await until(() => events.speaker.length >= 1);
    expect(events.speaker).toEqual([{ roomId: 'ext', legId: loud.legId }]);
  });

  it('switches a leg’s codec on renegotiation without breaking its outgoing stream', async () => {
    const a = await join('r', { codec: 'PCMU', payloadType: 0 });
    await join('r', { codec: 'PCMA', payloadType: 8, toneHz: B });
    await sleep(400);
    engine.updateLeg(a.legId, { codec: 'PCMA', payloadType: 8 });
    await sleep(400);
    const all = a.p.received;
    const switchAt = all.findIndex((r) => r.packet.header.payloadType === 8);
    expect(switchAt).toBeGreaterThan(5);
    expect(all.slice(switchAt).every((r) => r.packet.header.payloadType === 8)).toBe(true);
    expect(all[switchAt].packet.header.marker).toBe(true);
    for (let i = 1; i < all.length; i++) {
      expect(all[i].packet.header.ssrc).toBe(all[0].packet.header.ssrc);
      expect(all[i].packet.header.sequenceNumber).toBe((all[i - 1].packet.header.sequenceNumber + 1) & 0xffff);
      expect(all[i].packet.header.timestamp).toBe((all[i - 1].packet.header.timestamp + 160) >>> 0);
    }
    expect(engine.stats(a.legId)).toEqual(expect.objectContaining({ codec: 'PCMA', payloadType: 8 }));
    expect(() => engine.updateLeg(a.legId, { codec: 'opus', clockRate: 8000 })).toThrow(InvalidArgumentError);
    expect(engine.stats(a.legId).codec).toBe('PCMA');
  });

  it('runs Opus legs (48 kHz RTP clock) through an injected binding next to G.711', async () => {
    const a = await join('r', { codec: 'opus', payloadType: 111, toneHz: A });
    const b = await join('r', { codec: 'PCMU', payloadType: 0, toneHz: B });
    await sleep(1200);
    const to = performance.now();
    const ha = heard(a.p, A, [B], to - 600, to);
    const hb = heard(b.p, B, [A], to - 600, to);
    expect(db(ha.others[0], ha.own)).toBeGreaterThanOrEqual(20);
    expect(db(hb.others[0], hb.own)).toBeGreaterThanOrEqual(20);
    const opusOut = a.p.audioPackets();
    expect(((opusOut[5].packet.header.timestamp - opusOut[4].packet.header.timestamp) >>> 0)).toBe(960);
  });

  it('fails an Opus leg clearly without a binding; the allocation stays releasable', async () => {
    const base = randomBase();
    const plain = new MediaEngine({ portMin: base, portMax: base + 9, host: HOST, publicAddress: HOST });
    expect(plain.supportsCodec('opus')).toBe(false);
    expect(plain.supportsCodec('pcma')).toBe(true);
    const alloc = await plain.allocateLeg({ legId: 'caller-1' });
    expect(alloc).toEqual(expect.objectContaining({ legId: 'caller-1', localAddress: HOST, localRtcpPort: alloc.localPort + 1 }));
    const params: AudioLegParams = { remoteAddress: HOST, remotePort: 9, rtcpMux: false, payloadType: 111, codec: 'opus', clockRate: 48000, channels: 2, ptimeMs: 20, direction: 'sendrecv' };
    expect(() => plain.startLeg('r', alloc, params)).toThrow(UnsupportedCodecError);
    expect(plain.roomIds()).toEqual([]);
    expect(plain.portUsage().inUse).toBe(1);
    alloc.release();
    alloc.release();
    await plain.close();
    expect(plain.portUsage().inUse).toBe(0);
  });

  it('answers port exhaustion with PortRangeExhaustedError and refuses bad calls with InvalidArgumentError', async () => {
    const base = randomBase();
    const small = new MediaEngine({ portMin: base, portMax: base + 3, host: HOST, publicAddress: HOST });
    const first = await small.allocateLeg();
    await small.allocateLeg();
    await expect(small.allocateLeg()).rejects.toBeInstanceOf(PortRangeExhaustedError);
    await expect(small.allocateLeg({ legId: first.legId })).rejects.toBeInstanceOf(InvalidArgumentError);
    const params: AudioLegParams = { remoteAddress: HOST, remotePort: 9, rtcpMux: true, payloadType: 0, codec: 'PCMU', clockRate: 8000, channels: 1, ptimeMs: 20, direction: 'sendrecv' };
    expect(() => small.startLeg('r', { ...first, localPort: first.localPort + 2 }, params)).toThrow(InvalidArgumentError);
    expect(() => small.startLeg('r', first, { ...params, remotePort: 0 })).toThrow('remotePort');
    small.startLeg('r', first, params);
    expect(() => small.startLeg('r', first, params)).toThrow(InvalidArgumentError);
    expect(() => small.setMuted('nobody', true)).toThrow(InvalidArgumentError);
    expect(() => small.stats('nobody')).toThrow(InvalidArgumentError);
    expect(() => small.updateLeg(first.legId, { codec: 'GSM' as AudioLegParams['codec'] })).toThrow(InvalidArgumentError);
    const closing = small.close();
    expect(small.close()).toBe(closing);
    await closing;
    expect(small.portUsage().inUse).toBe(0);
    await expect(small.allocateLeg()).rejects.toThrow('closed');
  });

  it('survives junk on a leg’s port and closes every room and port on close()', async () => {
    const a = await join('one', { codec: 'PCMU', payloadType: 0, toneHz: A });
    await join('two', { codec: 'PCMA', payloadType: 8 });
    await join('two', { codec: 'G722', payloadType: 9 }, { rtcpMux: true });
    for (let i = 0; i < 20; i++) a.p.sendRaw(Buffer.from([0x80, i]));
    a.p.sendRaw(Buffer.alloc(40, 0xff), a.localPort + 1);
    await sleep(300);
    expect(engine.stats(a.legId).malformed).toBeGreaterThanOrEqual(21);
    expect(engine.roomIds().sort()).toEqual(['one', 'two']);
    expect(engine.portUsage().inUse).toBe(3);
    await engine.close();
    expect(engine.roomIds()).toEqual([]);
    expect(engine.portUsage().inUse).toBe(0);
  });
});
