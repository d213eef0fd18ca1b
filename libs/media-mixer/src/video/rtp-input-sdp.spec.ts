import { InvalidArgumentError } from '../errors';
import { rtpInputArgs, rtpInputSdp } from './rtp-input-sdp';

describe('rtpInputSdp', () => {
  it('describes one video stream with rtpmap and fmtp', () => {
    expect(rtpInputSdp({ codec: 'h264', payloadType: 96, port: 40000, fmtp: 'packetization-mode=1;profile-level-id=42e01f' })).toBe(
      'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=tessera\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 40000 RTP/AVP 96\r\n' +
        'a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\na=recvonly\r\n',
    );
    expect(rtpInputSdp({ codec: 'h263', payloadType: 34, port: 40002 })).toContain('a=rtpmap:34 H263/90000\r\na=recvonly');
    expect(rtpInputSdp({ codec: 'h263p', payloadType: 99, port: 40002 })).toContain('H263-1998/90000');
  });

  it('rejects values that would break the description', () => {
    expect(() => rtpInputSdp({ codec: 'vp8', payloadType: 128, port: 40000 })).toThrow(InvalidArgumentError);
    expect(() => rtpInputSdp({ codec: 'vp8', payloadType: 96, port: 65535 })).toThrow(InvalidArgumentError);
    expect(() => rtpInputSdp({ codec: 'vp8', payloadType: 96, port: 40000, fmtp: 'a\r\nm=audio 1 RTP/AVP 0' })).toThrow(InvalidArgumentError);
  });

  it('whitelists the protocols the SDP demuxer opens', () => {
    expect(rtpInputArgs('/tmp/x.sdp')).toEqual(['-protocol_whitelist', 'file,udp,rtp', '-f', 'sdp', '-i', '/tmp/x.sdp']);
  });
});
