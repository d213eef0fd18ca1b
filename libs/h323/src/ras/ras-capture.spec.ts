import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { H225, type H225Types } from '../asn1/generated';
import fixture from '../asn1/fixtures/capture-pdus.json';
import { decode, encode } from '../per/codec';
import { h323IdAlias } from './ras-alias';
import { RasEndpoint } from './ras-endpoint';
import type { RasEndpointState } from './ras-endpoint-state';
import { ManualRasClock } from './manual-ras-clock';
import * as msg from './ras-messages';
import { until } from './ras-test-harness';
import { toTransportAddress } from './transport-address';

/**
 * The gatekeeper side of the GnuGk 5.15 capture (h323-gatekeeper-ras.pcapng): its GCF, RCF, ACF, DCF and UCF,
 * replayed to the endpoint with the requestSeqNum (and the GCF's rasAddress) of our requests, are accepted as
 * deployed gatekeepers fill them. The H323Plus side shows how an endpoint fills a URQ: ours is byte-identical.
 */
const ras = new Map(
  (fixture.pdus as Array<{ capture: string; frame: number; type: string; hex: string }>)
    .filter((p) => p.capture === 'h323-gatekeeper-ras.pcapng' && p.type === 'RasMessage')
    .map((p) => [p.frame, Buffer.from(p.hex, 'hex')]),
);
const GNUGK_REPLIES: Record<string, number> = {
  gatekeeperRequest: 2,
  registrationRequest: 4,
  admissionRequest: 10,
  disengageRequest: 451,
  unregistrationRequest: 454,
};

function seqOf(message: H225Types.RasMessage): number {
  if (message.tag === '$unknown' || message.tag === 'admissionConfirmSequence') throw new Error('no requestSeqNum');
  return message.value.requestSeqNum;
}

describe('RasEndpoint against the PDUs of GnuGk 5.15', () => {
  let peer: Socket;
  let ep: RasEndpoint | undefined;
  const replies: string[] = [];

  beforeEach(async () => {
    peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    const port = peer.address().port;
    peer.on('message', (bytes, rinfo) => {
      const request = decode(H225.RasMessage, bytes);
      const frame = GNUGK_REPLIES[request.tag];
      if (frame === undefined) return;
      const reply = decode(H225.RasMessage, ras.get(frame)!) as { tag: string; value: { requestSeqNum: number; rasAddress?: unknown } };
      reply.value.requestSeqNum = seqOf(request);
      if (reply.tag === 'gatekeeperConfirm') reply.value.rasAddress = toTransportAddress({ address: '127.0.0.1', port });
      replies.push(reply.tag);
      peer.send(encode(H225.RasMessage, reply as H225Types.RasMessage), rinfo.port, rinfo.address);
    });
  });

  afterEach(async () => {
    await ep?.stop();
    ep = undefined;
    peer.close();
    replies.length = 0;
  });

  it('registers, is admitted, disengages and unregisters', async () => {
    const states: RasEndpointState[] = [];
    ep = new RasEndpoint({
      gatekeeper: { host: '127.0.0.1', port: peer.address().port },
      callSignalAddress: { address: '127.0.0.1', port: 1720 },
      rasAddress: { address: '127.0.0.1' },
      aliases: () => [h323IdAlias('listener')],
      clock: new ManualRasClock(),
      onStateChange: (s) => states.push(s),
    });
    await ep.start();
    await until(() => ep!.state === 'registered');
    expect(ep.endpointIdentifier).toBe('2589507718_endp');
    const callIdentifier = randomBytes(16);
    await expect(ep.admitIncoming({
      callIdentifier, conferenceID: randomBytes(16), callReferenceValue: 1, srcInfo: [h323IdAlias('caller')], destinationInfo: [], bandwidth: 100_000,
    })).resolves.toBe('admitted');
    await ep.disengage(callIdentifier);
    await ep.stop();
    expect(replies).toEqual(['gatekeeperConfirm', 'registrationConfirm', 'admissionConfirm', 'disengageConfirm', 'unregistrationConfirm']);
    expect(states).toEqual(['discovering', 'registering', 'registered', 'unregistering', 'stopped']);
    expect(ep.stats).toMatchObject({ malformed: 0, unmatched: 0, retransmissions: 0 });
  });
});

describe('RAS messages as H323Plus fills them', () => {
  it('builds the URQ of the capture (frame 453) byte for byte', () => {
    const h323plus = ras.get(453)!;
    const urq = decode(H225.RasMessage, h323plus);
    const me: msg.RasIdentity = {
      callSignalAddress: { address: '127.0.0.1', port: 1721 },
      rasAddress: { address: '127.0.0.1', port: 32001 },
      endpointType: { mc: false, undefinedNode: false },
      vendor: { vendor: { t35CountryCode: 9, t35Extension: 0, manufacturerCode: 61 } },
      aliases: [h323IdAlias('caller')],
    };
    const ours = msg.unregistrationRequest(seqOf(urq), me, { endpointIdentifier: '743014268_endp', gatekeeperIdentifier: 'TestGK' });
    expect(encode(H225.RasMessage, ours).toString('hex')).toBe(h323plus.toString('hex'));
  });

  it('fills the mandatory RRQ, ARQ and DRQ components H323Plus fills', () => {
    const rootKeys = (frame: number): string[] => Object.keys(decode(H225.RasMessage, ras.get(frame)!).value as object);
    const me: msg.RasIdentity = {
      callSignalAddress: { address: '127.0.0.1', port: 1720 },
      rasAddress: { address: '127.0.0.1', port: 31001 },
      endpointType: { mcu: {}, mc: true, undefinedNode: false },
      vendor: { vendor: { t35CountryCode: 0, t35Extension: 0, manufacturerCode: 0 } },
      aliases: [h323IdAlias('listener')],
    };
    const registration = { endpointIdentifier: 'e', gatekeeperIdentifier: 'TestGK' };
    const call: msg.RasCall = {
      callIdentifier: Buffer.alloc(16), conferenceID: Buffer.alloc(16), callReferenceValue: 1, srcInfo: [h323IdAlias('caller')],
      destinationInfo: [h323IdAlias('listener')], srcCallSignalAddress: { address: '127.0.0.1', port: 32000 }, bandwidth: 100_000,
    };
    const cases: Array<[number, H225Types.RasMessage, string[]]> = [
      [3, msg.registrationRequest(1, me, { discoveryComplete: true, gatekeeperIdentifier: 'TestGK' }), ['supportsAltGK', 'usageReportingCapability', 'callCreditCapability', 'supportsAssignedGK']],
      [18, msg.admissionRequest(1, me, registration, call), ['featureSet', 'canMapSrcAlias']],
      [449, msg.disengageRequest(1, registration, call, 'normalDrop'), ['usageInformation', 'terminationCause']],
    ];
    for (const [frame, ours, featuresWeLeaveOut] of cases) {
      const theirs = rootKeys(frame).filter((k) => !featuresWeLeaveOut.includes(k));
      expect(Object.keys(ours.value as object)).toEqual(expect.arrayContaining(theirs));
    }
  });
});
