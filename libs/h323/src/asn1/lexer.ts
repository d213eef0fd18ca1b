import { Asn1CompileError } from './asn1-error';

/** Token kinds of ASN.1 notation (X.680 §12). */
export type TokenKind = 'identifier' | 'number' | 'cstring' | 'bstring' | 'hstring' | 'symbol' | 'field' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** Multi-character symbols, longest first (X.680 §12.37 … §12.38 and the version brackets `[[ ]]`). */
const SYMBOLS = ['::=', '...', '..', '[[', ']]', '{', '}', '(', ')', '[', ']', ',', ';', '|', '^', '<', '>', '@', '!', '.', ':', '-', '='];

/**
 * Splits ASN.1 text into tokens (X.680 §12): identifiers and type references (letters, digits and single
 * hyphens), numbers, "character strings" (with "" as an escaped quote), 'bits'B and 'hex'H strings, `&field`
 * references and symbols. Comments — `--` to the end of the line or the next `--`, and nested `/* … *\/` — are
 * dropped.
 * @throws Asn1CompileError on a character that starts no token or an unterminated string or comment
 */
export function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string): never => {
    throw new Asn1CompileError(message, source, line, i - lineStart + 1);
  };
  const push = (kind: TokenKind, value: string, startLine: number, startCol: number): void => {
    tokens.push({ kind, text: value, line: startLine, column: startCol });
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
      continue;
    }
    if (ch === '-' && text[i + 1] === '-') {
      i += 2;
      while (i < text.length && text[i] !== '\n') {
        if (text[i] === '-' && text[i + 1] === '-') {
          i += 2;
          break;
        }
        i++;
      }
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (depth > 0) {
        if (i >= text.length) fail('unterminated /* comment');
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    const startLine = line;
    const startCol = i - lineStart + 1;
    const start = i;
    if (isLetter(ch) || (ch === '&' && isLetter(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length) {
        const c = text[i];
        if (isLetter(c) || isDigit(c)) i++;
        else if (c === '-' && text[i + 1] !== '-' && (isLetter(text[i + 1] ?? '') || isDigit(text[i + 1] ?? ''))) i++;
        else break;
      }
      push(ch === '&' ? 'field' : 'identifier', text.slice(start, i), startLine, startCol);
      continue;
    }
    if (isDigit(ch)) {
      while (i < text.length && isDigit(text[i])) i++;
      push('number', text.slice(start, i), startLine, startCol);
      continue;
    }
    if (ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated character string');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        value += text[i++];
      }
      push('cstring', value, startLine, startCol);
      continue;
    }
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) fail('unterminated bit or hex string');
      const body = text.slice(i + 1, close).replace(/\s+/g, '');
      const suffix = text[close + 1];
      if (suffix !== 'B' && suffix !== 'H') fail("bit or hex string must end in 'B or 'H");
      i = close + 2;
      push(suffix === 'B' ? 'bstring' : 'hstring', body, startLine, startCol);
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol === undefined) fail(`unexpected character ${JSON.stringify(ch)}`);
    i += (symbol as string).length;
    push('symbol', symbol as string, startLine, startCol);
  }
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return tokens;
}

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
