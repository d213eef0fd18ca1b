import { encodeTpkt, TpktReassembler } from './tpkt';
import { TpktError } from './tpkt-error';

describe('TPKT (RFC 1006 §6)', () => {
  it('frames a payload with version 3 and the length including the header', () => {
    expect(encodeTpkt(Buffer.from([0x08, 0x02, 0x22, 0xaa])).toString('hex')).toBe('030000080802' + '22aa');
  });

  it('refuses a payload that does not fit in one packet', () => {
    expect(() => encodeTpkt(Buffer.alloc(65532))).toThrow(RangeError);
    expect(encodeTpkt(Buffer.alloc(65531)).length).toBe(65535);
  });

  it('reassembles packets split at every position and packets sharing a chunk', () => {
    const a = Buffer.from('0802aa', 'hex');
    const b = Buffer.from('0801bb05', 'hex');
    const stream = Buffer.concat([encodeTpkt(a), encodeTpkt(b)]);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const reassembler = new TpktReassembler();
      const out = [...reassembler.push(stream.subarray(0, cut)), ...reassembler.push(stream.subarray(cut))];
      expect(out.map((p) => p.toString('hex'))).toEqual(['0802aa', '0801bb05']);
      expect(reassembler.bufferedLength).toBe(0);
    }
  });

  it('delivers octet-by-octet input', () => {
    const reassembler = new TpktReassembler();
    const out: Buffer[] = [];
    for (const octet of encodeTpkt(Buffer.from('abcdef', 'hex'))) out.push(...reassembler.push(Buffer.from([octet])));
    expect(out.map((p) => p.toString('hex'))).toEqual(['abcdef']);
  });

  it('skips empty keep-alive packets', () => {
    const reassembler = new TpktReassembler();
    expect(reassembler.push(Buffer.from('03000004030000050a', 'hex')).map((p) => p.toString('hex'))).toEqual(['0a']);
  });

  it.each([
    ['a version other than 3', '04000008aabbccdd', /version 4/],
    ['a length below the header', '03000003', /below/],
    ['a length above the limit', '03000100', /above the limit of 128/],
  ])('rejects %s and stays failed', (_name, hex, message) => {
    const reassembler = new TpktReassembler({ maxPacketLength: 128 });
    expect(() => reassembler.push(Buffer.from(hex, 'hex'))).toThrow(message);
    expect(() => reassembler.push(encodeTpkt(Buffer.from([1])))).toThrow(TpktError);
  });

  it('reports the stream offset of the bad header', () => {
    const reassembler = new TpktReassembler();
    reassembler.push(encodeTpkt(Buffer.from([1, 2])));
    try {
      reassembler.push(Buffer.from('ff000000', 'hex'));
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(TpktError);
      expect((error as TpktError).offset).toBe(6);
    }
  });

  it('rejects a limit outside 4…65535', () => {
    expect(() => new TpktReassembler({ maxPacketLength: 3 })).toThrow(RangeError);
    expect(() => new TpktReassembler({ maxPacketLength: 70000 })).toThrow(RangeError);
  });
});
