import fc from 'fast-check';
import { JitterBuffer, JitterBufferEvent, JitterBufferPacket } from './jitter-buffer';

const RATE = 8000;
const FRAME = 160; // 20 ms

/** A fake clock, a buffer, and a recorder of everything pulled every 20 ms. */
function harness(opts: { initialDelayMs?: number } = {}) {
  let now = 1000;
  const jb = new JitterBuffer({ clockRate: RATE, clock: () => now, ...opts });
  const events: JitterBufferEvent[] = [];
  const packet = (seq: number, p: Partial<JitterBufferPacket> = {}): JitterBufferPacket => ({
    ssrc: 0x1234,
    sequenceNumber: seq & 0xffff,
    timestamp: (5000 + (seq - 100) * FRAME) >>> 0,
    marker: false,
    payloadType: 0,
    payload: Buffer.alloc(FRAME, seq & 0xff),
    ...p,
  });
  return {
    jb,
    packet,
    events,
    get now() {
      return now;
    },
    advance(ms: number) {
      now += ms;
    },
    /** Delivers each packet at its time while ticking, until `ms` have passed. */
    deliver(arrivals: { at: number; pkt: JitterBufferPacket }[], ms: number) {
      const pending = [...arrivals].sort((a, b) => a.at - b.at);
      const end = now + ms;
      while (now < end) {
        const tickAt = now + 20;
        while (pending.length > 0 && pending[0].at <= tickAt) {
          const next = pending.shift()!;
          now = Math.max(now, next.at); // arrival at its exact time
          jb.push(next.pkt);
        }
        now = tickAt;
        events.push(...jb.pull());
      }
    },
    /** Advances 20 ms and pulls, like one mixer tick. */
    tick() {
      now += 20;
      events.push(...jb.pull());
    },
    played(): number[] {
      return events.flatMap((e) => (e.kind === 'frame' ? [e.packet.payload[0]] : []));
    },
    kinds(): string[] {
      return events.map((e) => (e.kind === 'frame' ? `f${e.packet.payload[0]}` : e.kind === 'missing' ? `m:${e.reason}` : 's'));
    },
    totalDuration(): number {
      return events.reduce((n, e) => n + e.duration, 0);
    },
  };
}

describe('JitterBuffer', () => {
  it('returns nothing before the first packet', () => {
    const h = harness();
    h.tick();
    expect(h.events).toEqual([]);
  });

  it('plays an in-order stream one frame per tick after the initial 40 ms', () => {
    const h = harness();
    for (let seq = 100; seq < 110; seq++) {
      expect(h.jb.push(h.packet(seq))).toBe('accepted');
      h.tick();
    }
    expect(h.kinds().slice(0, 3)).toEqual(['s', 's', 'f100']);
    expect(h.played()).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108]);
    expect(h.jb.stats()).toMatchObject({ concealed: 0, late: 0, targetDelayMs: 40 });
  });

  it('reorders packets that arrive out of order within the delay', () => {
    const h = harness();
    // Sent every 20 ms; 101 and 103 are delayed by 25 ms and arrive after their successors.
    const lateness = (seq: number) => (seq === 101 || seq === 103 ? 25 : 0);
    h.deliver(
      [100, 101, 102, 103, 104, 105, 106].map((seq) => ({ at: 1000 + (seq - 100) * 20 + lateness(seq), pkt: h.packet(seq) })),
      240,
    );
    expect(h.played()).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(h.kinds().slice(0, h.kinds().indexOf('f106'))).not.toContain('m:loss');
  });

  it('reports a lost packet as a missing frame for concealment, in its place', () => {
    const h = harness();
    for (let seq = 100; seq < 108; seq++) {
      if (seq !== 103) h.jb.push(h.packet(seq));
      h.tick();
    }
    const kinds = h.kinds();
    expect(kinds.slice(kinds.indexOf('f102'), kinds.indexOf('f104') + 1)).toEqual(['f102', 'm:loss', 'f104']);
    expect(h.jb.stats().concealed).toBe(1);
  });

  it('peeks at the packet after a lost one without consuming it (RFC 6716 §2.1.7 FEC source)', () => {
    const h = harness();
    expect(h.jb.peekNext()).toBeUndefined();
    let peeked: number | undefined;
    for (let seq = 100; seq < 110; seq++) {
      if (seq !== 103) h.jb.push(h.packet(seq));
      const before = h.events.length;
      h.tick();
      const pulled = h.events.slice(before);
      if (pulled.length > 0 && pulled[pulled.length - 1].kind === 'missing') peeked = h.jb.peekNext()?.payload[0];
    }
    expect(h.kinds()).toContain('m:loss');
    expect(peeked).toBe(104);
    expect(h.played()).toContain(104); // still played in turn
  });

  it('peeks at nothing while the packet due next has not arrived', () => {
    const h = harness();
    for (let seq = 100; seq < 103; seq++) {
      h.jb.push(h.packet(seq));
      h.tick();
    }
    for (let i = 0; i < 3; i++) h.tick();
    h.jb.push(h.packet(110)); // far ahead of the play position
    expect(h.jb.peekNext()).toBeUndefined();
  });

  it('drops duplicates, before and after playout', () => {
    const h = harness();
    h.jb.push(h.packet(100));
    expect(h.jb.push(h.packet(100))).toBe('duplicate');
    for (let i = 0; i < 4; i++) h.tick();
    expect(h.played()).toEqual([100]);
    expect(h.jb.push(h.packet(100))).toBe('duplicate');
    expect(h.jb.stats().duplicates).toBe(2);
  });

  it('plays a stream that falls behind its play position once the buffer ran dry, instead of dropping it as late', () => {
    // A sender that only manages one 20 ms packet every 40 ms (an overloaded softphone).
    const h = harness();
    const arrivals = Array.from({ length: 50 }, (_, i) => ({ at: 1000 + i * 40, pkt: h.packet(100 + i, { payload: Buffer.from([i]) }) }));
    h.deliver(arrivals, 2100);
    expect(h.played().length).toBeGreaterThanOrEqual(40); // the rest skipped to bound the delay (adapt)
    expect(h.jb.stats().late).toBeLessThanOrEqual(2);
    expect(h.jb.stats().realigned).toBeGreaterThan(0);
    const seqs = h.played();
    for (let k = 1; k < seqs.length; k++) expect(seqs[k]).toBeGreaterThan(seqs[k - 1]);
  });

  it('drops a packet that arrives after its playout time', () => {
    const h = harness();
    for (let seq = 100; seq < 106; seq++) {
      if (seq !== 102) h.jb.push(h.packet(seq));
      h.tick();
    }
    expect(h.jb.push(h.packet(102))).toBe('late');
    for (let i = 0; i < 3; i++) h.tick();
    expect(h.played()).not.toContain(102);
    expect(h.jb.stats().late).toBe(1);
  });

  it('plays through the sequence number wrap at 65535 and the timestamp wrap at 2^32', () => {
    const h = harness();
    const base = 65530;
    const tsBase = 2 ** 32 - 3 * FRAME;
    const pkt = (i: number) => h.packet(base + i, { sequenceNumber: (base + i) & 0xffff, timestamp: (tsBase + i * FRAME) % 2 ** 32, payload: Buffer.from([i]) });
    // 2 (before the timestamp wrap) and 5 (before the sequence wrap) arrive after their successors.
    const lateness = (i: number) => (i === 2 || i === 5 ? 25 : 0);
    h.deliver(
      Array.from({ length: 12 }, (_, i) => ({ at: 1000 + i * 20 + lateness(i), pkt: pkt(i) })),
      320,
    );
    expect(h.played()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(h.kinds().slice(0, h.kinds().indexOf('f11'))).not.toContain('m:loss');
    expect(h.jb.stats()).toMatchObject({ late: 0, resets: 0 });
  });

  it('restarts on an SSRC change without a gap in the output', () => {
    const h = harness();
    for (let seq = 100; seq < 105; seq++) {
      h.jb.push(h.packet(seq));
      h.tick();
    }
    const start = h.now - 5 * 20;
    const other = (seq: number) => h.packet(seq, { ssrc: 0x9999, sequenceNumber: seq + 20000, timestamp: 777 + seq * FRAME, payload: Buffer.from([200 + seq - 100]) });
    expect(h.jb.push(other(100))).toBe('reset');
    h.tick();
    for (let seq = 101; seq < 105; seq++) {
      expect(h.jb.push(other(seq))).toBe('accepted');
      h.tick();
    }
    for (let i = 0; i < 3; i++) h.tick();
    expect(h.played()).toEqual(expect.arrayContaining([200, 201, 202, 203, 204]));
    expect(h.jb.stats().resets).toBe(1);
    // Output covers local time without holes: all but the first pull's lead-in.
    expect(h.totalDuration()).toBeGreaterThanOrEqual(((h.now - start - 20) * RATE) / 1000);
  });

  it('accepts a large sequence jump only when the next packet confirms it (RFC 3550 A.1)', () => {
    const h = harness();
    h.jb.push(h.packet(100));
    expect(h.jb.push(h.packet(9000))).toBe('probation');
    expect(h.jb.push(h.packet(101))).toBe('accepted');
    expect(h.jb.push(h.packet(20000))).toBe('probation');
    expect(h.jb.push(h.packet(20001))).toBe('reset');
    expect(h.jb.stats().resets).toBe(1);
  });

  it('grows the delay when arrivals jitter, and shrinks it back when the network calms', () => {
    const h = harness();
    const jitter = [0, 35, 5, 50, 10, 0, 45, 20, 60, 0]; // ms late, repeating
    let seq = 100;
    // Packets are sent every 20 ms and arrive 0–60 ms late; the buffer is pulled every 20 ms.
    const run = (ms: number, lateness: (i: number) => number) => {
      const arrivals = [];
      for (let t = h.now; t < h.now + ms; t += 20, seq++) arrivals.push({ at: t + lateness(seq), pkt: h.packet(seq) });
      h.deliver(arrivals, ms);
    };
    run(4000, (i) => jitter[i % jitter.length]);
    const jittery = h.jb.stats();
    expect(jittery.targetDelayMs).toBeGreaterThanOrEqual(60);
    expect(jittery.stretched).toBeGreaterThan(0);
    expect(jittery.currentDelayMs).toBeGreaterThanOrEqual(50);
    expect(jittery.late).toBeLessThan(10); // only while the delay was still growing
    const lateBefore = jittery.late;
    run(5000, () => 0);
    const calm = h.jb.stats();
    expect(calm.targetDelayMs).toBe(20);
    expect(calm.shrunk).toBeGreaterThan(0);
    expect(calm.currentDelayMs).toBeLessThanOrEqual(30);
    expect(calm.late).toBe(lateBefore);
  });

  it('treats a silent period (no packets, sequence continues) as silence and realigns on the marker', () => {
    const h = harness();
    for (let seq = 100; seq < 105; seq++) {
      h.jb.push(h.packet(seq));
      h.tick();
    }
    for (let i = 0; i < 50; i++) h.tick(); // 1 s of DTX
    // The sender resumes with the next sequence number, a timestamp 1 s later and the marker bit.
    const resume = (k: number) => h.packet(105 + k, { timestamp: 5000 + (5 + 50 + k) * FRAME, marker: k === 0 });
    for (let k = 0; k < 5; k++) {
      expect(h.jb.push(resume(k))).toBe('accepted');
      h.tick();
    }
    for (let i = 0; i < 3; i++) h.tick();
    expect(h.played()).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    const kinds = h.kinds();
    const gap = kinds.slice(kinds.indexOf('f104') + 1, kinds.indexOf('f105'));
    expect(gap.filter((k) => k === 'm:loss').length).toBeLessThanOrEqual(3); // concealment fades, then silence
    expect(gap.filter((k) => k === 's').length).toBeGreaterThan(40);
    expect(h.jb.stats().late).toBe(0);
  });

  it('resynchronises instead of replaying a long backlog when pulls stop', () => {
    const h = harness();
    h.jb.push(h.packet(100));
    h.tick();
    h.advance(10_000);
    const burst = h.jb.pull();
    expect(burst.length).toBeLessThanOrEqual(3);
    h.jb.push(h.packet(600, { timestamp: 5000 + 500 * FRAME }));
    for (let i = 0; i < 5; i++) h.tick();
    expect(h.played()).toEqual([600 & 0xff]); // 100 fell due during the stall
    expect(h.jb.stats().dropped).toBe(1);
  });

  it('keeps its invariants under random delay, loss, duplication and reordering', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 150 }), lost: fc.boolean(), dup: fc.boolean() }), { minLength: 50, maxLength: 150 }),
        (plan) => {
          const h = harness();
          const arrivals = plan.flatMap((p, i) => {
            if (p.lost && i % 3 === 0) return [];
            const at = h.now + i * 20 + p.delay;
            return p.dup ? [{ at, i }, { at: at + 7, i }] : [{ at, i }];
          });
          arrivals.sort((a, b) => a.at - b.at);
          const end = h.now + plan.length * 20 + 400;
          let next = 0;
          let pulls = 0;
          while (h.now < end) {
            while (next < arrivals.length && arrivals[next].at <= h.now) {
              const i = arrivals[next++].i;
              h.jb.push(h.packet(100 + i, { payload: Buffer.from([i & 0xff, i >> 8]) }));
            }
            h.tick();
            pulls++;
          }
          const seqs = h.events.flatMap((e) => (e.kind === 'frame' ? [e.packet.payload[0] + 256 * e.packet.payload[1]] : []));
          // Played strictly in order, never twice.
          for (let k = 1; k < seqs.length; k++) expect(seqs[k]).toBeGreaterThan(seqs[k - 1]);
          // Output covers local time: within one frame (plus the lead-in before the first packet).
          const first = arrivals[0]?.at ?? end;
          const expected = ((pulls * 20 - (first - 1000)) * RATE) / 1000;
          expect(Math.abs(h.totalDuration() - expected)).toBeLessThanOrEqual(2 * FRAME);
          expect(h.jb.stats().targetDelayMs).toBeGreaterThanOrEqual(20);
          expect(h.jb.stats().targetDelayMs).toBeLessThanOrEqual(200);
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });
});
