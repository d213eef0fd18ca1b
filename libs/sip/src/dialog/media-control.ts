/**
 * XML schema for media control (RFC 5168): the `application/media_control+xml` bodies of SIP INFO
 * that ask a video encoder for a full (intra) picture.
 *
 *   <?xml version="1.0" encoding="utf-8" ?>
 *   <media_control>
 *     <vc_primitive>
 *       <to_encoder>
 *         <picture_fast_update/>
 *       </to_encoder>
 *     </vc_primitive>
 *   </media_control>
 *
 * `vc_primitive` may also carry a `stream_id` (RFC 5168 §4.1); a `general_error` element reports a
 * problem back. Only the element structure is read here; the reader is a small, bounded XML scanner
 * (declaration, comments, elements, attributes, text), not a general XML parser.
 */

/** Content type of the bodies (RFC 5168 §5). */
export const MEDIA_CONTROL_CONTENT_TYPE = 'application/media_control+xml';

/** Largest body read, octets; longer bodies are refused as malformed. */
export const MEDIA_CONTROL_MAX_OCTETS = 8192;

/** The body asking the receiver's encoder for a full picture (RFC 5168 §4.1). */
export const PICTURE_FAST_UPDATE_XML =
  '<?xml version="1.0" encoding="utf-8" ?>\r\n' +
  '<media_control>\r\n' +
  '  <vc_primitive>\r\n' +
  '    <to_encoder>\r\n' +
  '      <picture_fast_update/>\r\n' +
  '    </to_encoder>\r\n' +
  '  </vc_primitive>\r\n' +
  '</media_control>\r\n';

/** What a media control body asks. */
export interface MediaControlRequest {
  /** A `vc_primitive` with `to_encoder`/`picture_fast_update`: send a full picture. */
  pictureFastUpdate: boolean;
  /** `stream_id` values named by the primitives, if any. */
  streamIds: string[];
  /** Text of a `general_error` element (the peer reports a problem), if any. */
  generalError?: string;
}

/** A media control body that is not well-formed or not a `media_control` document (answer 400). */
export class MediaControlError extends Error {
  constructor(readonly reason: string) {
    super(`media_control body: ${reason}`);
    this.name = 'MediaControlError';
  }
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const MAX_DEPTH = 16;
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

/**
 * Reads a media control body (RFC 5168 §4).
 * @throws MediaControlError when the body is not well-formed XML, is longer than
 *   `MEDIA_CONTROL_MAX_OCTETS`, or its root element is not `media_control`.
 */
export function parseMediaControl(body: string): MediaControlRequest {
  if (Buffer.byteLength(body, 'utf8') > MEDIA_CONTROL_MAX_OCTETS) throw new MediaControlError(`longer than ${MEDIA_CONTROL_MAX_OCTETS} octets`);
  const root = parseXml(body);
  if (localName(root.name) !== 'media_control') throw new MediaControlError(`root element is <${root.name}>, not <media_control>`);
  const request: MediaControlRequest = { pictureFastUpdate: false, streamIds: [] };
  for (const child of root.children) {
    const name = localName(child.name);
    if (name === 'vc_primitive') {
      for (const part of child.children) {
        const partName = localName(part.name);
        if (partName === 'to_encoder' && part.children.some((c) => localName(c.name) === 'picture_fast_update')) request.pictureFastUpdate = true;
        if (partName === 'stream_id') request.streamIds.push(part.text.trim());
      }
    } else if (name === 'general_error') {
      request.generalError = child.text.trim();
    }
  }
  return request;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The root element of a small XML document. @throws MediaControlError when not well-formed. */
function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (reason: string): never => {
    throw new MediaControlError(`${reason} at offset ${i}`);
  };
  const skip = (prefix: string, end: string): void => {
    if (!text.startsWith(prefix, i)) return;
    const close = text.indexOf(end, i + prefix.length);
    if (close < 0) fail(`unterminated ${prefix}`);
    i = close + end.length;
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim() !== '') {
      const current = stack[stack.length - 1];
      if (current === undefined) fail('text outside the root element');
      else current.text += decodeEntities(chunk, fail);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      skip('<?', '?>');
      continue;
    }
    if (text.startsWith('<!--', i)) {
      skip('<!--', '-->');
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const start = i + 9;
      skip('<![CDATA[', ']]>');
      const current = stack[stack.length - 1];
      if (current === undefined) fail('CDATA outside the root element');
      else current.text += text.slice(start, i - 3);
      continue;
    }
    if (text.startsWith('<!', i)) fail('document type declarations are not accepted');
    const gt = findTagEnd(text, i);
    if (gt < 0) fail('unterminated tag');
    const tag = text.slice(i + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open === undefined || open.name !== name) fail(`</${name}> does not close ${open ? `<${open.name}>` : 'any element'}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const inner = selfClosing ? tag.slice(0, -1) : tag;
    const match = /^([^\s/>]+)([\s\S]*)$/.exec(inner);
    const name = match?.[1] ?? '';
    if (!NAME.test(name)) fail(`bad element name ${JSON.stringify(name)}`);
    checkAttributes(match?.[2] ?? '', fail);
    const element: XmlElement = { name, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(element);
    else if (root !== undefined) fail('a second root element');
    else root = element;
    if (!selfClosing) {
      stack.push(element);
      if (stack.length > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
    }
  }
  if (stack.length > 0) throw new MediaControlError(`<${stack[stack.length - 1]?.name}> is not closed`);
  if (root === undefined) throw new MediaControlError('no element');
  return root;
}

/** Index of the `>` ending the tag that starts at `start`, skipping quoted attribute values; -1 when none. */
function findTagEnd(text: string, start: number): number {
  let quote: string | undefined;
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '<') return -1;
    else if (c === '>') return j;
  }
  return -1;
}

function checkAttributes(text: string, fail: (reason: string) => never): void {
  let rest = text.trim();
  while (rest !== '') {
    const match = /^([^\s=]+)\s*=\s*("[^"<]*"|'[^'<]*')\s*/.exec(rest);
    if (!match || !NAME.test(match[1] ?? '')) fail(`bad attribute ${JSON.stringify(rest.slice(0, 40))}`);
    rest = rest.slice(match?.[0].length ?? rest.length);
  }
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, fail: (reason: string) => never): string {
  return text.replace(/&([^;\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) return fail('unterminated entity reference');
    if (ENTITIES[name] !== undefined) return ENTITIES[name];
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(name)?.[1] ?? /^#([0-9]{1,7})$/.exec(name)?.[1];
    if (code === undefined) return fail(`unknown entity &${name};`);
    const value = name.startsWith('#x') ? parseInt(code, 16) : Number(code);
    if (value > 0x10ffff) return fail(`character reference &${name}; out of range`);
    return String.fromCodePoint(value);
  });
}
