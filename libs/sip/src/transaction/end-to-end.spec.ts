/**
 * Transport layer + transaction layer together on real 127.0.0.1 sockets: a UAC and a UAS stack
 * exchange INVITE / 180 / 200 / ACK, a rejected INVITE with its in-transaction ACK, CANCEL → 200 + 487,
 * and a non-INVITE request over UDP and over TCP.
 */
import { getCSeq, SipHeaders, SipRequest, SipResponse } from '../message';
import { RemoteAddress, TransportLayer } from '../transport';
import { ClientTransaction } from './client-transaction';
import { InviteClientTransaction } from './invite-client';
import { ServerTransaction } from './server-transaction';
import { TransactionLayer } from './transaction-layer';
import { TransactionState } from './transaction-state';
import { TransactionUser } from './transaction-user';

interface Stack {
  transport: TransportLayer;
  layer: TransactionLayer;
}

async function stack(): Promise<Stack> {
  const transport = new TransportLayer({ host: '127.0.0.1', port: 0 });
  await transport.listen();
  const layer = new TransactionLayer({ transport });
  return { transport, layer };
}

function request(method: string, callId: string, cseq = 1, extra: Record<string, string> = {}): SipRequest {
  const h = new SipHeaders();
  h.append('Max-Forwards', '70');
  h.append('From', '<sip:alice@127.0.0.1>;tag=a1');
  h.append('To', extra.To ?? '<sip:1000@127.0.0.1>');
  h.append('Call-ID', callId);
  h.append('CSeq', `${cseq} ${method}`);
  for (const [k, v] of Object.entries(extra)) if (k !== 'To') h.append(k, v);
  return new SipRequest(method, 'sip:1000@127.0.0.1', h);
}

/** Resolves when `predicate` holds, polling every 5 ms for at most `ms` ms. */
async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  for (let waited = 0; !predicate(); waited += 5) {
    if (waited >= ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('transport + transaction layer on loopback', () => {
  let uac: Stack;
  let uas: Stack;
  let target: RemoteAddress;

  beforeEach(async () => {
    uac = await stack();
    uas = await stack();
    target = { transport: 'UDP', address: '127.0.0.1', port: uas.transport.port };
  });

  afterEach(async () => {
    uac.layer.dispose();
    uas.layer.dispose();
    await Promise.all([uac.transport.close(), uas.transport.close()]);
  });

  it('INVITE → 180 → 200, the ACK for the 2xx reaches the UAS TU and stops the 2xx retransmissions', async () => {
    const acks: SipRequest[] = [];
    let serverTx: ServerTransaction | undefined;
    const tu: TransactionUser = {
      onRequest: (req, tx) => {
        serverTx = tx;
        tx.reply(180);
        tx.reply(200);
      },
      onAck: (ack) => acks.push(ack),
    };
    uas.layer.setUser(tu);
    const responses: SipResponse[] = [];
    const invite = request('INVITE', 'e2e-1');
    uac.layer.sendRequest(invite, target, {
      onResponse: (res) => {
        responses.push(res);
        if (res.status === 200) {
          const ack = request('ACK', 'e2e-1', 1, { To: res.headers.get('to') ?? '' });
          void uac.layer.sendAck(ack, target);
        }
      },
    });
    await until(() => acks.length === 1);
    expect(responses.map((r) => r.status)).toEqual([180, 200]);
    expect(serverTx?.state).toBe(TransactionState.Accepted);
    expect((serverTx as unknown as { runningTimers(): string[] }).runningTimers()).toEqual(['L']);
    expect(getCSeq(acks[0]).method).toBe('ACK');
  });

  it('a 486 is ACKed inside the client transaction and absorbed by the server transaction', async () => {
    let serverTx: ServerTransaction | undefined;
    const onAck = jest.fn();
    uas.layer.setUser({
      onRequest: (_req, tx) => {
        serverTx = tx;
        tx.reply(486);
      },
      onAck,
    });
    const finals: number[] = [];
    uac.layer.sendRequest(request('INVITE', 'e2e-2'), target, { onResponse: (r) => finals.push(r.status) });
    await until(() => serverTx?.state === TransactionState.Confirmed);
    expect(finals).toEqual([486]);
    expect(onAck).not.toHaveBeenCalled();
  });

  it('CANCEL gets 200 and the INVITE 487 (default CANCEL handling), and the UAS TU is told', async () => {
    const cancelled = jest.fn();
    uas.layer.setUser({
      onRequest: (_req, tx) => {
        tx.delegate = { onCancelled: cancelled };
        tx.reply(180);
      },
      onAck: jest.fn(),
    });
    const statuses: number[] = [];
    const cancelStatuses: number[] = [];
    const ict = uac.layer.sendRequest(request('INVITE', 'e2e-3'), target, { onResponse: (r) => statuses.push(r.status) });
    expect(uac.layer.cancel(ict as InviteClientTransaction, { onResponse: (r) => cancelStatuses.push(r.status) })).toBe(true);
    await until(() => statuses.includes(487) && cancelStatuses.includes(200));
    expect(statuses).toEqual([180, 487]);
    expect(cancelled).toHaveBeenCalledTimes(1);
  });

  it('a non-INVITE request over TCP is answered over the same connection', async () => {
    uas.layer.setUser({ onRequest: (_req, tx) => tx.reply(200), onAck: jest.fn() });
    const statuses: number[] = [];
    const tx: ClientTransaction = uac.layer.sendRequest(request('OPTIONS', 'e2e-4'), { ...target, transport: 'TCP' }, {
      onResponse: (r) => statuses.push(r.status),
    });
    await until(() => statuses.length === 1);
    expect(statuses).toEqual([200]);
    expect(tx.state).toBe(TransactionState.Terminated);
    expect(uac.transport.stats().tcpConnections).toBe(1);
    expect(uas.layer.stats().total).toBe(0);
  });
});
