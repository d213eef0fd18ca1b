/**
 * Errors of the aligned PER codec (X.691). Decoding throws only {@link PerDecodeError}; encoding throws only
 * {@link PerEncodeError}. Both carry the dotted path of the field being processed (component and alternative
 * names, `[i]` for items of SEQUENCE OF) and the bit offset in the encoding where the problem was found.
 */
export abstract class PerError extends Error {
  /** Dotted field path, e.g. `h323-uu-pdu.h323-message-body.setup.sourceAddress[0]`; empty at the top level. */
  readonly path: string;
  /** Offset in bits from the start of the outermost encoding. */
  readonly bitOffset: number;
  /** The message without the path and offset decoration. */
  readonly reason: string;

  protected constructor(reason: string, path: string, bitOffset: number, options?: { cause?: unknown }) {
    super(`${reason} (at ${path === '' ? '<top>' : path}, bit ${bitOffset})`, options);
    this.name = new.target.name;
    this.reason = reason;
    this.path = path;
    this.bitOffset = bitOffset;
  }
}

/**
 * The input is not a valid aligned-PER encoding of the expected type: truncated, a length beyond the remaining
 * data or the constraints, an index outside the alternatives, nesting deeper than the decoder allows.
 */
export class PerDecodeError extends PerError {
  constructor(reason: string, path: string, bitOffset: number, options?: { cause?: unknown }) {
    super(reason, path, bitOffset, options);
  }
}

/**
 * The value does not fit the type: a missing mandatory component, a number outside its constraint, a size
 * outside the SIZE constraint, a character outside the permitted alphabet, an unknown alternative name.
 */
export class PerEncodeError extends PerError {
  constructor(reason: string, path: string, bitOffset: number, options?: { cause?: unknown }) {
    super(reason, path, bitOffset, options);
  }
}

/** A path stack: component/alternative names, and item indexes of SEQUENCE OF. */
export type PathStack = (string | number)[];

/** Joins a path stack into the dotted form used by {@link PerError.path}; indexes become `[i]`. */
export function formatPath(stack: readonly (string | number)[]): string {
  let out = '';
  for (const segment of stack) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : '.' + segment;
  }
  return out;
}
