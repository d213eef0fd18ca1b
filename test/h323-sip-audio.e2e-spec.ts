/**
 * An H.323 participant and a SIP participant in one room hear each other (issue 4, "What must hold" 4:
 * H.323 audio legs use the same RTP/mixer plane as SIP). The H.323 side is the project's own endpoint
 * with a UDP socket of the test as its RTP port: it sends a 1 kHz G.711 µ-law tone to the MCU and measures
 * (Goertzel) the SIP side's 440 Hz tone in what it receives. The SIP side is SIPp playing a 440 Hz PCMU tone
 * from a pcap; what the MCU sends to it is captured with tshark and must carry the 1 kHz tone.
 */
import * as dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { H323Endpoint, h245SessionPorts, type H323MediaChannel, type OutgoingCall } from '@mcu/h323';
import { decodeUlaw, encodeUlaw, toneAmplitude } from '@mcu/media-mixer';
import { artifactPath } from './support/artifacts';
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { freeTcpPort, freeUdpPortRange, LOOPBACK, PORT_REGIONS, releasePortRange, type PortRange } from './support/ports';
import { McuRestClient, type Room } from './support/rest-client';
import { writeRtpTonePcap } from './support/rtp-pcap';
import { startSipp } from './support/sipp';
import { expectCallsSucceeded } from './support/sipp-assertions';
import { captureUnavailable, TsharkCapture } from './support/tshark';
import { delay, waitFor } from './support/wait';

jest.setTimeout(120_000);

const run = promisify(execFile);

/** Tone the H.323 side sends, Hz. */
const H323_TONE = 1000;
/** Tone SIPp plays from its pcap, Hz. */
const SIP_TONE = 440;
const RATE = 8000;
const SAMPLES_PER_PACKET = 160;

/** One 20 ms PCMU packet of the H.323 side's tone (RFC 3550 §5.1 header, PT 0). */
function tonePacket(seq: number, ssrc: number): Buffer {
  const pcm = new Int16Array(SAMPLES_PER_PACKET);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * H323_TONE * (seq * SAMPLES_PER_PACKET + i)) / RATE));
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * SAMPLES_PER_PACKET) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, encodeUlaw(pcm)]);
}

/** Ratio of the tone's Goertzel amplitude to the other tone's in µ-law payloads (concatenated). */
function toneRatio(payloads: readonly Buffer[], tone: number, other: number): { tone: number; other: number } {
  const pcm = decodeUlaw(Buffer.concat(payloads));
  return { tone: toneAmplitude(pcm, RATE, tone), other: toneAmplitude(pcm, RATE, other) };
}

(captureUnavailable() ? describe.skip : describe)('H.323 and SIP participants hear each other', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let room: Room;
  let h323Port: number;
  let rtpRange: PortRange;
  let socket: dgram.Socket | undefined;
  let caller: H323Endpoint | undefined;
  let call: OutgoingCall | undefined;
  let capture: TsharkCapture | undefined;
  let mediaDir: string;
  let sender: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-h323-sip-'));
    writeRtpTonePcap(path.join(mediaDir, 'tessera-tone.pcap'), { durationMs: 4000, frequencyHz: SIP_TONE });
    h323Port = await freeTcpPort();
    rtpRange = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
    mcu = await McuProcess.start({ label: 'h323-sip-audio', env: { MCU_H323_PORT: String(h323Port) } });
    rest = new McuRestClient(mcu.baseUrl);
    room = await rest.createRoom({ name: 'Mixed room', number: '7800' });
  });

  afterAll(async () => {
    if (sender) clearInterval(sender);
    call?.hangUp('normal');
    await caller?.close();
    socket?.close();
    await capture?.stop();
    await killAllChildren();
    await mcu?.dispose();
    if (rtpRange) releasePortRange(rtpRange);
    if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  it('the SIP tone reaches the H.323 leg and the H.323 tone reaches the SIP leg', async () => {
    const received: Buffer[] = [];
    const sock = dgram.createSocket('udp4');
    socket = sock;
    sock.on('message', (msg) => {
      // PCMU RTP from the MCU (RTCP and other payload types ignored).
      if (msg.length > 12 && msg[0] >> 6 === 2 && (msg[1] & 0x7f) === 0) received.push(msg.subarray(12 + 4 * (msg[0] & 0x0f)));
    });
    await new Promise<void>((resolve) => sock.bind(rtpRange.min, LOOPBACK, resolve));

    capture = await TsharkCapture.start(`udp and src portrange ${mcu.rtpPorts.min}-${mcu.rtpPorts.max} and not dst port ${rtpRange.min}`, artifactPath('h323-sip-audio', '.pcapng'));

    caller = new H323Endpoint({ onSetup: (c) => c.reject('rejected') }, { host: LOOPBACK, port: 0, codecs: ['g711Ulaw64k'], h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'] } }) });
    const placed = await caller.call({ address: LOOPBACK, port: h323Port }, {
      localMedia: { address: LOOPBACK, rtpPort: rtpRange.min },
      destination: [{ type: 'dialedDigits', value: room.number }],
    });
    call = placed;
    const send = await waitFor<H323MediaChannel>('the transmit channel', async () => placed.mediaChannels.find((m) => m.direction === 'send'));
    expect(send.codec).toBe('PCMU');
    const ssrc = 0x1323abcd;
    let seq = 0;
    sender = setInterval(() => {
      // At most 10 s of tone, whatever happens.
      if (seq >= 500) return;
      sock.send(tonePacket(seq++, ssrc), send.remoteRtp!.port, send.remoteRtp!.address);
    }, 20);

    const sipp = await startSipp({
      label: 'h323-sip-audio',
      scenario: 'call-with-rtp.xml',
      remote: mcu.sipAddress,
      service: room.number,
      calls: 1,
      callDurationMs: 4000,
      cwd: mediaDir,
      timeoutMs: 30_000,
    });
    const before = received.length;
    expectCallsSucceeded(await sipp.wait(), 1, mcu);
    const during = received.slice(before);
    clearInterval(sender);
    sender = undefined;
    await capture.stop();

    // H.323 side: the SIP participant's 440 Hz dominates what the mix sent while SIPp played.
    expect(during.length).toBeGreaterThan(50);
    const heard = toneRatio(during, SIP_TONE, H323_TONE);
    expect(heard.tone).toBeGreaterThan(10 * Math.max(heard.other, 1));

    // SIP side: the RTP the MCU sent towards SIPp carries the H.323 participant's 1 kHz.
    const { stdout } = await run('tshark', ['-r', capture.file, '--enable-heuristic', 'rtp_udp', '-Y', 'rtp.p_type == 0', '-T', 'fields', '-e', 'rtp.payload'], { maxBuffer: 64 * 1024 * 1024 });
    const payloads = stdout.split('\n').filter((l) => l.trim() !== '').map((hex) => Buffer.from(hex.replace(/:/g, ''), 'hex'));
    expect(payloads.length).toBeGreaterThan(50);
    const sent = toneRatio(payloads, H323_TONE, SIP_TONE);
    expect(sent.tone).toBeGreaterThan(10 * Math.max(sent.other, 1));

    placed.hangUp('normal');
    await waitFor('room empty', async () => ((await rest.participants(room.id)).length === 0 ? true : undefined));
    await delay(100);
  });
});
