import type { H245Types } from '../asn1/generated';
import type { EntityContext } from './control-message';
import { silentH245Logger } from './h245-logger';
import { MasterSlaveDetermination, MsdState, determineStatus } from './master-slave';
import { FakeClock } from './testing/fake-clock';

type Msg = H245Types.MultimediaSystemControlMessage;

function setup(opts: { terminalType?: number; numbers?: number[]; maxRetries?: number } = {}) {
  const clock = new FakeClock();
  const sent: Msg[] = [];
  const ctx: EntityContext = { send: (m) => sent.push(m), clock, logger: silentH245Logger };
  const numbers = [...(opts.numbers ?? [1000])];
  const outcomes: string[] = [];
  const msd = new MasterSlaveDetermination(
    ctx,
    { terminalType: opts.terminalType ?? 190, t106: 30_000, maxRetries: opts.maxRetries ?? 3, random: () => numbers.shift() ?? 4242 },
    { determined: (m) => outcomes.push(m ? 'master' : 'slave'), failed: (code) => outcomes.push(`failed ${code}`) },
  );
  return { clock, sent, msd, outcomes };
}

const ack = (decision: 'master' | 'slave'): H245Types.MasterSlaveDeterminationAck => ({ decision: { tag: decision, value: null } });
const sentKinds = (sent: Msg[]) => sent.map((m) => `${m.tag}.${(m.value as { tag: string }).tag}`);
const ackDecision = (m: Msg) => ((m.value as { value: H245Types.MasterSlaveDeterminationAck }).value.decision.tag);

describe('determineStatus (H.245 §5.1)', () => {
  it.each([
    [190, 5, 50, 5, 'master'],
    [50, 5, 190, 5, 'slave'],
    [50, 100, 50, 100, 'indeterminate'],
    [50, 0, 50, 0x800000, 'indeterminate'],
    [50, 100, 50, 101, 'master'],
    [50, 101, 50, 100, 'slave'],
    [50, 0xfffff0, 50, 0x10, 'master'],
    [50, 0x10, 50, 0xfffff0, 'slave'],
    [50, 0, 50, 0x7fffff, 'master'],
    [50, 0, 50, 0x800001, 'slave'],
  ] as const)('local %i/%i vs remote %i/%i → %s', (lt, ln, rt, rn, expected) => {
    expect(determineStatus(lt, ln, rt, rn)).toBe(expected);
  });
});

describe('MSDSE (H.245 §5.1, Annex C.2)', () => {
  it('outgoing: the remote ack decides, we answer with the opposite decision', () => {
    const { msd, sent, outcomes, clock } = setup();
    msd.start();
    expect(sentKinds(sent)).toEqual(['request.masterSlaveDetermination']);
    expect((sent[0].value as { value: H245Types.MasterSlaveDetermination }).value).toEqual({ terminalType: 190, statusDeterminationNumber: 1000 });
    expect(msd.state).toBe(MsdState.OutgoingAwaitingResponse);
    msd.receiveAck(ack('slave'));
    expect(outcomes).toEqual(['slave']);
    expect(ackDecision(sent[1])).toBe('master');
    expect(msd.state).toBe(MsdState.Idle);
    expect(clock.timerCount).toBe(0);
  });

  it('incoming while idle: an MCU (190) is master over a terminal (50)', () => {
    const { msd, sent, outcomes } = setup();
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 123 });
    expect(ackDecision(sent[0])).toBe('slave');
    expect(msd.state).toBe(MsdState.IncomingAwaitingResponse);
    msd.receiveAck(ack('master'));
    expect(outcomes).toEqual(['master']);
    expect(msd.status).toBe('master');
  });

  it('incoming while idle: a terminal (50) is slave to an MCU', () => {
    const { msd, sent, outcomes } = setup({ terminalType: 50 });
    msd.receiveRequest({ terminalType: 190, statusDeterminationNumber: 123 });
    expect(ackDecision(sent[0])).toBe('master');
    msd.receiveAck(ack('slave'));
    expect(outcomes).toEqual(['slave']);
  });

  it('crossing requests with equal types: the numbers decide, then the remote ack confirms', () => {
    const { msd, sent, outcomes } = setup({ terminalType: 50, numbers: [100] });
    msd.start();
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 200 });
    expect(ackDecision(sent[1])).toBe('slave');
    expect(msd.state).toBe(MsdState.IncomingAwaitingResponse);
    msd.receiveAck(ack('master'));
    expect(outcomes).toEqual(['master']);
  });

  it('identical numbers while idle: MasterSlaveDeterminationReject identicalNumbers', () => {
    const { msd, sent } = setup({ terminalType: 50, numbers: [77] });
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 77 });
    expect(sent[0]).toEqual({ tag: 'response', value: { tag: 'masterSlaveDeterminationReject', value: { cause: { tag: 'identicalNumbers', value: null } } } });
    expect(msd.state).toBe(MsdState.Idle);
  });

  it('indeterminate crossing requests are retried with a new number, up to N100 times, then error F', () => {
    const { msd, sent, outcomes } = setup({ terminalType: 50, numbers: [5, 6, 7], maxRetries: 2 });
    msd.start();
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 5 });
    expect((sent[1].value as { value: H245Types.MasterSlaveDetermination }).value.statusDeterminationNumber).toBe(6);
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 6 });
    expect((sent[2].value as { value: H245Types.MasterSlaveDetermination }).value.statusDeterminationNumber).toBe(7);
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 7 });
    expect(outcomes).toEqual(['failed F']);
    expect(msd.state).toBe(MsdState.Idle);
  });

  it('a reject of our request is retried with a new number', () => {
    const { msd, sent } = setup({ numbers: [1, 2] });
    msd.start();
    msd.receiveReject();
    expect(sentKinds(sent)).toEqual(['request.masterSlaveDetermination', 'request.masterSlaveDetermination']);
    expect(msd.state).toBe(MsdState.OutgoingAwaitingResponse);
  });

  it('T106 expiry while outgoing: MasterSlaveDeterminationRelease and error A', () => {
    const { msd, sent, outcomes, clock } = setup();
    msd.start();
    clock.advance(29_999);
    expect(outcomes).toEqual([]);
    clock.advance(1);
    expect(sentKinds(sent)).toEqual(['request.masterSlaveDetermination', 'indication.masterSlaveDeterminationRelease']);
    expect(outcomes).toEqual(['failed A']);
  });

  it('T106 expiry while incoming: error A without release', () => {
    const { msd, sent, outcomes, clock } = setup();
    msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 1 });
    clock.advance(30_000);
    expect(sentKinds(sent)).toEqual(['response.masterSlaveDeterminationAck']);
    expect(outcomes).toEqual(['failed A']);
  });

  it('an ack contradicting our decision is error E; a second request while incoming is error C', () => {
    const a = setup();
    a.msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 1 });
    a.msd.receiveAck(ack('slave'));
    expect(a.outcomes).toEqual(['failed E']);
    const b = setup();
    b.msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 1 });
    b.msd.receiveRequest({ terminalType: 50, statusDeterminationNumber: 2 });
    expect(b.outcomes).toEqual(['failed C']);
    expect(b.clock.timerCount).toBe(0);
  });

  it('release from the remote while awaiting is error B; stray acks and rejects while idle are ignored', () => {
    const { msd, outcomes, sent } = setup();
    msd.receiveAck(ack('master'));
    msd.receiveReject();
    msd.receiveRelease();
    expect(sent).toEqual([]);
    msd.start();
    msd.receiveRelease();
    expect(outcomes).toEqual(['failed B']);
  });
});
