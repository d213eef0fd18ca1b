/**
 * Every RFC 4475 torture message that parses is fed to the transaction layer: none may throw, each
 * request either reaches the TU exactly once (with a server transaction, or via onAck) or is answered
 * 400 by the layer, responses are stray, and no transaction outlives its timers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, SipRequest, SipResponse } from '../message';
import { FakeTransport, PEER } from './fake-transport.fixture';
import { TransactionLayer } from './transaction-layer';

const DIR = join(__dirname, '..', 'message', 'fixtures', 'rfc4475');
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .map((f) => ({ name: f, data: readFileSync(join(DIR, f)) }));

function tryParse(data: Buffer): SipRequest | SipResponse | undefined {
  try {
    return parseMessage(data);
  } catch {
    return undefined; // parse failures are the transport layer's business (tested there)
  }
}

describe('RFC 4475 messages through the transaction layer', () => {
  afterEach(() => jest.useRealTimers());

  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(40);
  });

  it.each(fixtures.map((f) => [f.name, f.data] as const))('%s', (_name, data) => {
    jest.useFakeTimers();
    const fake = new FakeTransport();
    const layer = new TransactionLayer({ transport: fake });
    let delivered = 0;
    layer.setUser({
      onRequest: (req, tx) => {
        delivered++;
        if (req.method !== 'CANCEL') tx.reply(req.method === 'INVITE' ? 486 : 200);
      },
      onAck: () => delivered++,
    });
    const message = tryParse(data);
    if (message === undefined) {
      layer.dispose();
      return;
    }
    if (message.isRequest()) {
      expect(() => fake.receive(message, PEER)).not.toThrow();
      // Exactly one outcome: the TU saw it, or the layer rejected it, or (CANCEL) the layer answered 481.
      const outcomes = delivered + fake.rejected.length + (message.method === 'CANCEL' ? fake.responses(481).length : 0);
      expect(outcomes).toBe(1);
      if (fake.rejected.length === 1) expect(fake.rejected[0].status).toBe(400);
    } else {
      expect(fake.respond(message, PEER)).toBe(false);
    }
    jest.advanceTimersByTime(64 * 500 + 1);
    expect(layer.stats().total).toBe(0);
    layer.dispose();
  });
});
