/** An {@link H245Session} with a fake clock and a record of what it sends and emits, for tests. */
import type { H245Types } from '../../asn1/generated';
import type { LocalCapabilities } from '../capabilities';
import type { H245SessionEvents } from '../h245-events';
import { H245Session, kindOf, type H245SessionOptions } from '../h245-session';
import { FakeClock } from './fake-clock';

export const TEST_CAPABILITIES: LocalCapabilities = { audio: ['g711Ulaw64k', 'g711Alaw64k', 'g722-64k'] };

export interface Harness {
  readonly session: H245Session;
  readonly clock: FakeClock;
  readonly sent: H245Types.MultimediaSystemControlMessage[];
  readonly events: Array<{ name: keyof H245SessionEvents; args: unknown[] }>;
  /** Kinds of the sent messages ("request.openLogicalChannel", …). */
  sentKinds(): string[];
  /** Arguments of the recorded events named `name`. */
  eventsOf<E extends keyof H245SessionEvents>(name: E): Array<H245SessionEvents[E]>;
}

const EVENT_NAMES: Array<keyof H245SessionEvents> = [
  'remote-capabilities', 'master-slave', 'ready', 'open-channel-request', 'channel-established', 'channel-closed',
  'user-input', 'video-fast-update', 'end-session', 'round-trip', 'protocol-error',
];

export function harness(options: Partial<H245SessionOptions> = {}, record: Array<keyof H245SessionEvents> = EVENT_NAMES): Harness {
  const clock = new FakeClock();
  const sent: H245Types.MultimediaSystemControlMessage[] = [];
  const session = new H245Session({ send: (m) => sent.push(m), capabilities: TEST_CAPABILITIES, clock, random: () => 1234, ...options });
  const events: Harness['events'] = [];
  for (const name of record) session.on(name, (...args: unknown[]) => events.push({ name, args }));
  return {
    session,
    clock,
    sent,
    events,
    sentKinds: () => sent.map(kindOf),
    eventsOf: <E extends keyof H245SessionEvents>(name: E) => events.filter((e) => e.name === name).map((e) => e.args as H245SessionEvents[E]),
  };
}
