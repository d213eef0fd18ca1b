import { connect, type Socket } from 'node:net';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import { H245Channel, type H245ChannelHandlers } from './h245-channel';

const LOCAL = '127.0.0.1';

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function recorder(): H245ChannelHandlers & { pdus: Buffer[]; connected: number; closed: Array<Error | undefined> } {
  const r = {
    pdus: [] as Buffer[],
    connected: 0,
    closed: [] as Array<Error | undefined>,
    onPdu: (pdu: Buffer) => r.pdus.push(pdu),
    onConnected: () => {
      r.connected += 1;
    },
    onClosed: (error?: Error) => {
      r.closed.push(error);
    },
  };
  return r;
}

describe('separate H.245 connection (H.323 §8.2)', () => {
  let peer: Socket | undefined;
  afterEach(() => peer?.destroy());

  it('listens, queues PDUs until the peer connects, and exchanges TPKT-framed PDUs', async () => {
    const handlers = recorder();
    const channel = new H245Channel(handlers);
    channel.send(Buffer.from('0270', 'hex'));
    const address = await channel.listen(LOCAL);
    const received: Buffer[] = [];
    const reassembler = new TpktReassembler();
    peer = connect(address.port, LOCAL);
    peer.on('data', (chunk) => received.push(...reassembler.push(chunk)));
    await until(() => handlers.connected === 1 && received.length === 1, 'connection and the queued PDU');
    expect(received[0].toString('hex')).toBe('0270');
    peer.write(Buffer.concat([encodeTpkt(Buffer.from('2080', 'hex')), encodeTpkt(Buffer.from('218001', 'hex'))]));
    await until(() => handlers.pdus.length === 2, 'two PDUs');
    expect(handlers.pdus.map((p) => p.toString('hex'))).toEqual(['2080', '218001']);
    channel.close();
    channel.close();
    await until(() => peer!.readableEnded || peer!.destroyed, 'the peer sees the close');
    expect(handlers.closed).toEqual([]);
  });

  it('reports a bad TPKT from the peer as a close with an error', async () => {
    const handlers = recorder();
    const channel = new H245Channel(handlers);
    const address = await channel.listen(LOCAL);
    peer = connect(address.port, LOCAL);
    await until(() => handlers.connected === 1, 'connection');
    peer.write('garbage!');
    await until(() => handlers.closed.length === 1, 'close');
    expect(handlers.closed[0]?.name).toBe('TpktError');
  });

  it('reports a refused connection as a close with an error', async () => {
    const handlers = recorder();
    const listener = new H245Channel(recorder());
    const { port } = await listener.listen(LOCAL);
    listener.close();
    const channel = new H245Channel(handlers);
    channel.connect({ address: LOCAL, port });
    await until(() => handlers.closed.length === 1, 'close');
    expect(handlers.closed[0]?.message).toMatch(/ECONNREFUSED/);
    channel.close();
  });
});
