import { RtpHeader, RtpPacket } from 'werift-rtp';
import type { OutgoingRtpHeader } from '../../rtp/rtp-endpoint';
import { H264Depacketizer } from '../rtp-h264';
import { parseVp8PayloadDescriptor } from '../rtp-vp8';
import { VideoRtpSender } from './video-rtp-sender';

const sps = Buffer.from([0x67, 0x42, 0xe0, 0x1f, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84]);
const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const annexB = (...nals: Buffer[]): Buffer => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));
const idr = (size: number): Buffer => Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(size - 2, 0x11)]);
const nonIdr = (size: number): Buffer => Buffer.concat([Buffer.from([0x41, 0x9a]), Buffer.alloc(size - 2, 0x22)]);

function recorder(): { sent: { header: OutgoingRtpHeader; payload: Buffer }[]; send: (h: OutgoingRtpHeader, p: Buffer) => boolean } {
  const sent: { header: OutgoingRtpHeader; payload: Buffer }[] = [];
  return { sent, send: (header, payload) => (sent.push({ header: { ...header }, payload }), true) };
}

describe('VideoRtpSender (RFC 3550 §5.1 numbering per receiver)', () => {
  it('numbers packets consecutively across pictures and a change of packetization, timestamps from the frame clock plus its offset', () => {
    const r = recorder();
    const sender = new VideoRtpSender({ codec: 'H264', payloadType: 96, maxPayloadOctets: 1200, send: r.send, initialSequenceNumber: 0xfffe, timestampOffset: 1000 });
    sender.sendFrame({ data: annexB(sps, pps, idr(3000)), rtpTimestamp: 3600, keyframe: true });
    sender.reconfigure({ codec: 'H264', payloadType: 97, maxPayloadOctets: 1200, packetizationMode: 0 });
    sender.sendFrame({ data: annexB(nonIdr(500)), rtpTimestamp: 7200, keyframe: false });
    const seqs = r.sent.map((s) => s.header.sequenceNumber);
    expect(seqs).toEqual(seqs.map((_, i) => (0xfffe + i) & 0xffff));
    expect(seqs).toContain(0); // wrapped
    expect(r.sent.filter((s) => s.header.marker)).toHaveLength(2);
    expect(r.sent[0].header.timestamp).toBe(4600);
    expect(r.sent[r.sent.length - 1].header).toMatchObject({ timestamp: 8200, payloadType: 97 });
    expect(sender.stats()).toMatchObject({ frames: 2, keyframes: 1, packets: r.sent.length, packetizeErrors: 0 });

    // What a receiver rebuilds from the packets: the same access units.
    const depacketizer = new H264Depacketizer();
    const frames = r.sent.flatMap(
      (s) =>
        depacketizer.push(new RtpPacket(new RtpHeader({ ...s.header, ssrc: 5 }), s.payload)).frames,
    );
    expect(frames.map((f) => f.keyframe)).toEqual([true, false]);
  });

  it('never sends a timestamp below the previous picture', () => {
    const r = recorder();
    const sender = new VideoRtpSender({ codec: 'H264', payloadType: 96, maxPayloadOctets: 1200, send: r.send, timestampOffset: 0 });
    sender.sendFrame({ data: annexB(nonIdr(100)), rtpTimestamp: 90000, keyframe: false });
    sender.sendFrame({ data: annexB(nonIdr(100)), rtpTimestamp: 86400, keyframe: false });
    expect(r.sent.map((s) => s.header.timestamp)).toEqual([90000, 90000]);
  });

  it('counts a picture the format cannot carry instead of throwing (mode 0, NAL unit over the limit)', () => {
    const r = recorder();
    const sender = new VideoRtpSender({ codec: 'H264', payloadType: 96, maxPayloadOctets: 200, packetizationMode: 0, send: r.send });
    expect(sender.sendFrame({ data: annexB(idr(1000)), rtpTimestamp: 0, keyframe: true })).toBe(0);
    expect(r.sent).toHaveLength(0);
    expect(sender.stats().packetizeErrors).toBe(1);
  });

  it('leaves out an SEI over the limit in mode 0 instead of the whole IDR', () => {
    const r = recorder();
    const sender = new VideoRtpSender({ codec: 'H264', payloadType: 96, maxPayloadOctets: 200, packetizationMode: 0, send: r.send });
    const sei = Buffer.concat([Buffer.from([0x06, 0x05]), Buffer.alloc(600, 0x33)]);
    expect(sender.sendFrame({ data: annexB(sps, pps, sei, idr(150)), rtpTimestamp: 0, keyframe: true })).toBe(3);
    expect(r.sent.map((s) => s.payload[0] & 0x1f)).toEqual([7, 8, 5]);
    expect(sender.stats()).toMatchObject({ keyframes: 1, packetizeErrors: 0 });
  });

  it('keeps the VP8 PictureID running per stream (RFC 7741 §4.2) and rejects bad formats', () => {
    const r = recorder();
    const sender = new VideoRtpSender({ codec: 'VP8', payloadType: 100, maxPayloadOctets: 1200, send: r.send });
    for (let i = 0; i < 3; i++) sender.sendFrame({ data: Buffer.alloc(300, i), rtpTimestamp: i * 3600, keyframe: i === 0 });
    const ids = r.sent.map((s) => parseVp8PayloadDescriptor(s.payload).descriptor.pictureId as number);
    expect(ids).toEqual([ids[0], (ids[0] + 1) & 0x7fff, (ids[0] + 2) & 0x7fff]);
    expect(() => new VideoRtpSender({ codec: 'VP8', payloadType: 128, maxPayloadOctets: 1200, send: r.send })).toThrow(/payloadType/);
    expect(() => sender.reconfigure({ codec: 'VP8', payloadType: 100, maxPayloadOctets: 8 })).toThrow(/maxPayloadOctets/);
  });
});
