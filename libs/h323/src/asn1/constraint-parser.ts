import type { ConstraintAst, ElementSetAst, TypeAst, ValueAst } from './ast';
import { isUpper, TokenStream } from './token-stream';

/**
 * Constraint notation (X.680 §49, X.682): element sets with unions, intersections and EXCEPT, single values,
 * value ranges with MIN/MAX and open bounds, SIZE, FROM, contained subtypes and INCLUDES, extension markers and
 * exception specifications. User-defined, table and contents constraints are skipped (never PER-visible);
 * `WITH COMPONENT(S)` and PATTERN are kept as opaque elements.
 */
export abstract class ConstraintParser extends TokenStream {
  /** Type notation; implemented by the module parser (contained subtypes and INCLUDES need it). */
  abstract type(): TypeAst;

  /** `( ConstraintSpec ExceptionSpec )` (X.682, X.680 §49). */
  protected constraint(): ConstraintAst {
    this.symbol('(');
    const word = this.peek().text;
    if (word === 'CONSTRAINED' || word === 'CONTAINING' || word === 'ENCODED' || this.isSymbol('{')) {
      this.skipUntilClosingParenthesis();
      return { root: undefined, extensible: false, additions: undefined };
    }
    let root: ElementSetAst;
    let extensible = false;
    let additions: ElementSetAst | undefined;
    if (this.isSymbol('...')) {
      root = { t: 'all' };
    } else {
      root = this.elementSet();
    }
    if (this.acceptSymbol('!')) this.exceptionSpec();
    if (this.isSymbol('...') || (this.isSymbol(',') && this.peek(1).text === '...')) {
      this.acceptSymbol(',');
      this.symbol('...');
      extensible = true;
      if (this.acceptSymbol('!')) this.exceptionSpec();
      if (this.acceptSymbol(',')) additions = this.elementSet();
    }
    this.symbol(')');
    return { root, extensible, additions };
  }

  protected sizeConstraintWithoutParentheses(): ConstraintAst {
    this.keyword('SIZE');
    const inner = this.constraint();
    return { root: { t: 'size', constraint: inner }, extensible: false, additions: undefined };
  }

  protected elementSet(): ElementSetAst {
    const items = [this.intersections()];
    while (this.acceptSymbol('|') || this.acceptKeyword('UNION')) items.push(this.intersections());
    return items.length === 1 ? items[0] : { t: 'union', items };
  }

  protected intersections(): ElementSetAst {
    const items = [this.intersectionElement()];
    while (this.acceptSymbol('^') || this.acceptKeyword('INTERSECTION')) items.push(this.intersectionElement());
    return items.length === 1 ? items[0] : { t: 'intersection', items };
  }

  protected intersectionElement(): ElementSetAst {
    const base = this.element();
    if (this.acceptKeyword('EXCEPT')) return { t: 'except', base, excluded: this.element() };
    return base;
  }

  protected element(): ElementSetAst {
    if (this.acceptSymbol('(')) {
      const inner = this.elementSet();
      this.symbol(')');
      return inner;
    }
    const token = this.peek();
    const word = token.kind === 'identifier' ? token.text : '';
    if (word === 'ALL') {
      this.i++;
      this.keyword('EXCEPT');
      return { t: 'except', base: { t: 'all' }, excluded: this.element() };
    }
    if (word === 'SIZE') {
      this.i++;
      return { t: 'size', constraint: this.constraint() };
    }
    if (word === 'FROM') {
      this.i++;
      return { t: 'from', constraint: this.constraint() };
    }
    if (word === 'WITH') {
      this.i++;
      const what = this.identifier();
      if (what === 'COMPONENT') this.skipBalanced('(', ')');
      else if (what === 'COMPONENTS') this.skipBalanced('{', '}');
      else this.fail(`unexpected WITH ${what}`);
      return { t: 'opaque' };
    }
    if (word === 'PATTERN') {
      this.i++;
      this.value();
      return { t: 'opaque' };
    }
    if (word === 'INCLUDES') {
      this.i++;
      return { t: 'type', type: this.type() };
    }
    if (word !== '' && isUpper(word) && !['TRUE', 'FALSE', 'NULL', 'MIN', 'MAX', 'PLUS-INFINITY', 'MINUS-INFINITY'].includes(word)) {
      return { t: 'type', type: this.type() };
    }
    const lb: ValueAst | 'MIN' = this.acceptKeyword('MIN') ? 'MIN' : this.value();
    const lbOpen = this.acceptSymbol('<');
    if (!this.acceptSymbol('..')) {
      if (lb === 'MIN' || lbOpen) this.fail('incomplete value range');
      return { t: 'value', value: lb as ValueAst };
    }
    const ubOpen = this.acceptSymbol('<');
    const ub: ValueAst | 'MAX' = this.acceptKeyword('MAX') ? 'MAX' : this.value();
    return { t: 'range', lb, ub, lbOpen, ubOpen };
  }

  protected exceptionSpec(): void {
    if (this.peek().kind === 'identifier' && isUpper(this.peek().text) && this.peek(1).text === ':') {
      this.type();
      this.symbol(':');
    }
    this.value();
  }
}
