import fc from 'fast-check';
import { MEDIA_CONTROL_MAX_OCTETS, MediaControlError, parseMediaControl, PICTURE_FAST_UPDATE_XML } from './media-control';

describe('RFC 5168 media_control bodies', () => {
  it('reads the picture fast update the MCU itself sends', () => {
    expect(parseMediaControl(PICTURE_FAST_UPDATE_XML)).toEqual({ pictureFastUpdate: true, streamIds: [] });
  });

  it('reads real-world variants: no declaration, comments, namespaces, attributes, stream ids, whitespace', () => {
    const polycomStyle = '<?xml version="1.0" encoding="utf-8" ?>\n<!-- fast update -->\n<media_control>\n <vc_primitive>\n  <to_encoder>\n   <picture_fast_update></picture_fast_update>\n  </to_encoder>\n  <stream_id>video1</stream_id>\n </vc_primitive>\n</media_control>';
    expect(parseMediaControl(polycomStyle)).toEqual({ pictureFastUpdate: true, streamIds: ['video1'] });
    expect(parseMediaControl('<mc:media_control xmlns:mc="urn:x"><mc:vc_primitive><mc:to_encoder><mc:picture_fast_update/></mc:to_encoder></mc:vc_primitive></mc:media_control>').pictureFastUpdate).toBe(true);
    expect(parseMediaControl("\ufeff<media_control a='1' b=\"x&gt;\"><vc_primitive><to_encoder><picture_fast_update /></to_encoder></vc_primitive></media_control>").pictureFastUpdate).toBe(true);
  });

  it('tells a general_error or an empty primitive from a fast update', () => {
    expect(parseMediaControl('<media_control><general_error>Unsupported &amp; ignored</general_error></media_control>')).toEqual({ pictureFastUpdate: false, streamIds: [], generalError: 'Unsupported & ignored' });
    expect(parseMediaControl('<media_control><vc_primitive><to_encoder/></vc_primitive></media_control>').pictureFastUpdate).toBe(false);
    expect(parseMediaControl('<media_control><picture_fast_update/></media_control>').pictureFastUpdate).toBe(false);
  });

  it.each([
    ['', 'no element'],
    ['<media_control>', 'is not closed'],
    ['<media_control></vc_primitive>', 'does not close'],
    ['<other/>', 'not <media_control>'],
    ['<media_control/><media_control/>', 'second root'],
    ['text<media_control/>', 'text outside'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><media_control/>', 'document type'],
    ['<media_control a=1/>', 'bad attribute'],
    ['<media_control>&bogus;</media_control>', 'unknown entity'],
    ['<media_control><!-- open', 'unterminated'],
    ['<1bad/>', 'bad element name'],
    ['<media_control' , 'unterminated tag'],
    ['<a>'.repeat(20) + '</a>'.repeat(20), 'nested deeper'],
  ])('refuses %j (%s)', (body, reason) => {
    expect(() => parseMediaControl(body)).toThrow(MediaControlError);
    expect(() => parseMediaControl(body)).toThrow(reason);
  });

  it('refuses bodies over the size limit', () => {
    expect(() => parseMediaControl(`<media_control>${' '.repeat(MEDIA_CONTROL_MAX_OCTETS)}</media_control>`)).toThrow('longer than');
  });

  it('never throws anything but MediaControlError on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (body) => {
        try {
          parseMediaControl(body);
        } catch (err) {
          if (!(err instanceof MediaControlError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('<media_control>', '</media_control>', '<vc_primitive>', '</vc_primitive>', '<to_encoder>', '</to_encoder>', '<picture_fast_update/>', ' ', '&amp;', '<!-- c -->', "<x a='1'>", '</x>'), { maxLength: 20 }), (parts) => {
        try {
          parseMediaControl(parts.join(''));
        } catch (err) {
          if (!(err instanceof MediaControlError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
  });
});
