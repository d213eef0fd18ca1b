/** STUN Binding on the SIP UDP port (RFC 5626 §4.4.2, RFC 5389 §15.2; vector from RFC 5769 §2.2). */
import * as dgram from 'node:dgram';
import { isStunMessage, stunBindingResponse } from './stun-keepalive';
import { UdpTransport } from './udp-transport';

const TXID = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');

function bindingRequest(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(0x2112a442, 4);
  TXID.copy(b, 8);
  return b;
}

describe('STUN keep-alive', () => {
  it('tells STUN from SIP', () => {
    expect(isStunMessage(bindingRequest())).toBe(true);
    expect(isStunMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n'))).toBe(false);
    expect(isStunMessage(bindingRequest().subarray(0, 19))).toBe(false);
  });

  it('XOR-MAPPED-ADDRESS for IPv4 matches RFC 5769 §2.2 (192.0.2.1:32853)', () => {
    const res = stunBindingResponse(bindingRequest(), '192.0.2.1', 32853) as Buffer;
    expect(res.readUInt16BE(0)).toBe(0x0101);
    expect(res.readUInt16BE(2)).toBe(12);
    expect(res.subarray(8, 20)).toEqual(TXID);
    expect(res.subarray(20).toString('hex')).toBe('002000080001a147e112a643');
  });

  it('XOR-MAPPED-ADDRESS for IPv6 matches RFC 5769 §2.3 (2001:db8:1234:5678:11:2233:4455:6677 port 32853)', () => {
    const res = stunBindingResponse(bindingRequest(), '2001:db8:1234:5678:11:2233:4455:6677', 32853) as Buffer;
    expect(res.subarray(20).toString('hex')).toBe('002000140002' + 'a147' + '0113a9faa5d3f179bc25f4b5bed2b9d9');
  });

  it('ignores other STUN messages', () => {
    const indication = bindingRequest();
    indication.writeUInt16BE(0x0011, 0);
    expect(stunBindingResponse(indication, '192.0.2.1', 1)).toBeUndefined();
  });

  describe('on a UDP transport', () => {
    let transport: UdpTransport;
    let client: dgram.Socket;
    afterEach(async () => {
      await transport.close();
      await new Promise<void>((r) => client.close(() => r()));
    });

    it('answers a Binding request with the sender\'s address and never hands it to the SIP listener', async () => {
      transport = new UdpTransport({ host: '127.0.0.1', port: 0 });
      const listener = { onMessage: jest.fn(), onParseError: jest.fn() };
      transport.setListener(listener);
      await transport.listen();
      client = dgram.createSocket('udp4');
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
      const answer = new Promise<Buffer>((r) => client.once('message', (m) => r(m)));
      client.send(bindingRequest(), transport.localAddress().port, '127.0.0.1');
      const res = await answer;
      const port = res.readUInt16BE(26) ^ 0x2112;
      const ip = [...res.subarray(28, 32)].map((b, i) => b ^ [0x21, 0x12, 0xa4, 0x42][i]).join('.');
      expect(`${ip}:${port}`).toBe(`127.0.0.1:${client.address().port}`);
      expect(listener.onMessage).not.toHaveBeenCalled();
      expect(listener.onParseError).not.toHaveBeenCalled();
    });
  });
});
