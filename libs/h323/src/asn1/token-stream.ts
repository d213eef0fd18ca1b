import { Asn1CompileError } from './asn1-error';
import type { ValueAst } from './ast';
import type { Token } from './lexer';

/**
 * Navigation over the tokens of one ASN.1 source for the recursive-descent parser: look-ahead, expected symbols
 * and keywords, skipping of balanced brackets, errors with line:column, and value notation (X.680 §16 …).
 */
export abstract class TokenStream {
  protected i = 0;

  protected constructor(
    protected readonly tokens: readonly Token[],
    protected readonly source: string,
  ) {}

  /** Whether all tokens have been consumed. */
  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** Value notation (X.680 §16 …): numbers, strings, booleans, NULL, references, and `{ … }` lists. */
  value(): ValueAst {
    const token = this.next();
    if (token.kind === 'number') return { v: 'number', value: Number(token.text) };
    if (token.kind === 'symbol' && token.text === '-' && this.peek().kind === 'number') {
      return { v: 'number', value: -Number(this.next().text) };
    }
    if (token.kind === 'cstring') return { v: 'string', value: token.text };
    if (token.kind === 'bstring') return { v: 'bits', value: token.text, radix: 2 };
    if (token.kind === 'hstring') return { v: 'bits', value: token.text, radix: 16 };
    if (token.kind === 'identifier') {
      if (token.text === 'TRUE' || token.text === 'FALSE') return { v: 'boolean', value: token.text === 'TRUE' };
      if (token.text === 'NULL') return { v: 'null' };
      if (this.acceptSymbol(':')) return this.value();
      return { v: 'reference', name: token.text };
    }
    if (token.kind === 'symbol' && token.text === '{') {
      const items: ValueAst[] = [];
      while (!this.acceptSymbol('}')) {
        if (this.atEnd()) this.fail('unterminated { value');
        if (this.acceptSymbol(',')) continue;
        const item = this.value();
        if (item.v === 'reference' && this.acceptSymbol('(')) {
          items.push(this.value());
          this.symbol(')');
        } else items.push(item);
      }
      return { v: 'braces', items };
    }
    return this.fail(`expected a value, found ${describe(token)}`);
  }

  protected skipBalanced(open: string, close: string): void {
    this.symbol(open);
    let depth = 1;
    while (depth > 0) {
      const token = this.next();
      if (token.kind === 'eof') this.fail(`unbalanced ${open}`);
      if (token.kind === 'symbol' && token.text === open) depth++;
      else if (token.kind === 'symbol' && token.text === close) depth--;
    }
  }

  protected skipUntilClosingParenthesis(): void {
    let depth = 1;
    while (depth > 0) {
      const token = this.next();
      if (token.kind === 'eof') this.fail('unbalanced (');
      if (token.kind === 'symbol' && token.text === '(') depth++;
      else if (token.kind === 'symbol' && token.text === ')') depth--;
    }
  }

  protected skipUntilSymbol(symbol: string): void {
    while (!this.acceptSymbol(symbol)) {
      if (this.atEnd()) this.fail(`missing ${symbol}`);
      this.i++;
    }
  }

  protected peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  protected next(): Token {
    const token = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return token;
  }

  protected isSymbol(text: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === text;
  }

  protected acceptSymbol(text: string): boolean {
    if (!this.isSymbol(text)) return false;
    this.i++;
    return true;
  }

  protected symbol(text: string): void {
    if (!this.acceptSymbol(text)) this.fail(`expected ${text}, found ${describe(this.peek())}`);
  }

  protected acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token.kind !== 'identifier' || token.text !== word) return false;
    this.i++;
    return true;
  }

  protected keyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(`expected ${word}, found ${describe(this.peek())}`);
  }

  protected identifier(): string {
    const token = this.peek();
    if (token.kind !== 'identifier') this.fail(`expected an identifier, found ${describe(token)}`);
    this.i++;
    return token.text;
  }

  protected number(): number {
    const token = this.peek();
    if (token.kind !== 'number') this.fail(`expected a number, found ${describe(token)}`);
    this.i++;
    return Number(token.text);
  }

  protected fail(message: string): never {
    const token = this.peek();
    throw new Asn1CompileError(message, this.source, token.line, token.column);
  }
}

/** Whether an identifier is a type reference (starts with an upper-case letter). */
export function isUpper(word: string): boolean {
  const c = word.charCodeAt(0);
  return c >= 65 && c <= 90;
}

/** A token for error messages. */
export function describe(token: Token): string {
  return token.kind === 'eof' ? 'end of input' : JSON.stringify(token.text);
}
