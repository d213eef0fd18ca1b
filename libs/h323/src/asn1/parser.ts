import type {
  ComponentAst,
  ComponentListAst,
  ConstraintAst,
  GroupAst,
  ImportAst,
  ModuleAst,
  NamedNumber,
  SimpleTypeName,
  TagAst,
  TagDefault,
  TypeAssignmentAst,
  TypeAst,
  TypeBodyAst,
  ValueAssignmentAst,
  ValueAst,
} from './ast';
import { ConstraintParser } from './constraint-parser';
import { type Token, tokenize } from './lexer';
import { describe, isUpper } from './token-stream';

const SIMPLE_TYPES = new Set<string>([
  'BOOLEAN',
  'NULL',
  'REAL',
  'EXTERNAL',
  'RELATIVE-OID',
  'IA5String',
  'NumericString',
  'PrintableString',
  'VisibleString',
  'ISO646String',
  'BMPString',
  'UniversalString',
  'UTF8String',
  'GeneralString',
  'GraphicString',
  'TeletexString',
  'T61String',
  'VideotexString',
  'ObjectDescriptor',
  'GeneralizedTime',
  'UTCTime',
]);

/**
 * Parses the modules of one ASN.1 source text (X.680 module definitions) into syntax trees. Information object
 * class, object and object set assignments are skipped (the H.323 modules only use the built-in
 * TYPE-IDENTIFIER class); user-defined, table and contents constraints are kept as non-PER-visible.
 * @param source a name for error messages (file name)
 * @throws Asn1CompileError on a syntax error or an unsupported construct
 */
export function parseModules(text: string, source: string): ModuleAst[] {
  const parser = new Parser(tokenize(text, source), source);
  const modules: ModuleAst[] = [];
  while (!parser.atEnd()) modules.push(parser.module());
  return modules;
}

class Parser extends ConstraintParser {
  constructor(tokens: readonly Token[], source: string) {
    super(tokens, source);
  }

  module(): ModuleAst {
    const name = this.identifier();
    if (this.isSymbol('{')) this.skipBalanced('{', '}');
    this.keyword('DEFINITIONS');
    let tagDefault: TagDefault = 'EXPLICIT';
    const mode = this.peek().text;
    if ((mode === 'EXPLICIT' || mode === 'IMPLICIT' || mode === 'AUTOMATIC') && this.peek(1).text === 'TAGS') {
      tagDefault = mode;
      this.i += 2;
    }
    let extensibilityImplied = false;
    if (this.acceptKeyword('EXTENSIBILITY')) {
      this.keyword('IMPLIED');
      extensibilityImplied = true;
    }
    this.symbol('::=');
    this.keyword('BEGIN');
    if (this.acceptKeyword('EXPORTS')) this.skipUntilSymbol(';');
    const imports = this.acceptKeyword('IMPORTS') ? this.importList() : [];
    const types: TypeAssignmentAst[] = [];
    const values: ValueAssignmentAst[] = [];
    while (!this.acceptKeyword('END')) {
      if (this.atEnd()) this.fail(`module ${name} has no END`);
      this.assignment(types, values);
    }
    return { name, source: this.source, tagDefault, extensibilityImplied, imports, types, values };
  }

  private importList(): ImportAst[] {
    const imports: ImportAst[] = [];
    let symbols: string[] = [];
    while (!this.acceptSymbol(';')) {
      if (this.acceptKeyword('FROM')) {
        const module = this.identifier();
        if (this.isSymbol('{')) this.skipBalanced('{', '}');
        imports.push({ module, symbols });
        symbols = [];
        continue;
      }
      symbols.push(this.identifier());
      if (this.isSymbol('{')) {
        this.symbol('{');
        this.symbol('}');
      }
      this.acceptSymbol(',');
    }
    if (symbols.length > 0) this.fail('IMPORTS list without FROM');
    return imports;
  }

  private assignment(types: TypeAssignmentAst[], values: ValueAssignmentAst[]): void {
    const token = this.peek();
    const name = this.identifier();
    const position = { line: token.line, column: token.column };
    if (isUpper(name)) {
      if (this.peek().kind === 'identifier' && !this.isSymbol('::=')) {
        // Object or object set assignment: "Name CLASS ::= { … }".
        this.identifier();
        this.symbol('::=');
        this.skipBalanced('{', '}');
        return;
      }
      const params: string[] = [];
      if (this.acceptSymbol('{')) {
        do {
          let param = this.identifier();
          if (this.acceptSymbol(':')) param = this.identifier();
          params.push(param);
        } while (this.acceptSymbol(','));
        this.symbol('}');
      }
      this.symbol('::=');
      if (this.peek().text === 'CLASS') {
        this.i++;
        this.skipBalanced('{', '}');
        if (this.acceptKeyword('WITH')) {
          this.keyword('SYNTAX');
          this.skipBalanced('{', '}');
        }
        return;
      }
      types.push({ name, params, type: this.type(), position });
      return;
    }
    const type = this.type();
    this.symbol('::=');
    values.push({ name, type, value: this.value(), position });
  }

  /** Type notation with an optional tag and any number of serially applied constraints. */
  type(): TypeAst {
    const start = this.peek();
    const position = { line: start.line, column: start.column };
    const tag = this.isSymbol('[') ? this.tag() : undefined;
    const constraints: ConstraintAst[] = [];
    const body = this.typeBody(constraints);
    while (this.isSymbol('(')) constraints.push(this.constraint());
    return { body, tag, constraints, position };
  }

  private tag(): TagAst {
    this.symbol('[');
    let cls: TagAst['cls'] = 'CONTEXT';
    const word = this.peek().text;
    if (word === 'UNIVERSAL' || word === 'APPLICATION' || word === 'PRIVATE') {
      cls = word;
      this.i++;
    }
    const number = this.number();
    this.symbol(']');
    let mode: TagAst['mode'];
    if (this.acceptKeyword('IMPLICIT')) mode = 'IMPLICIT';
    else if (this.acceptKeyword('EXPLICIT')) mode = 'EXPLICIT';
    return { cls, number, mode };
  }

  private typeBody(constraints: ConstraintAst[]): TypeBodyAst {
    const token = this.peek();
    if (token.kind !== 'identifier') this.fail(`expected a type, found ${describe(token)}`);
    const word = token.text;
    if (word === 'INTEGER') {
      this.i++;
      return { t: 'integer', named: this.isSymbol('{') ? this.namedNumbers() : [] };
    }
    if (word === 'ENUMERATED') {
      this.i++;
      return this.enumeration();
    }
    if (word === 'BIT' || word === 'OCTET') {
      this.i++;
      this.keyword('STRING');
      if (word === 'OCTET') return { t: 'octetstring' };
      return { t: 'bitstring', named: this.isSymbol('{') ? this.namedNumbers() : [] };
    }
    if (word === 'OBJECT') {
      this.i++;
      this.keyword('IDENTIFIER');
      return { t: 'simple', name: 'OBJECT IDENTIFIER' };
    }
    if (word === 'SEQUENCE' || word === 'SET') {
      this.i++;
      const kind = word === 'SEQUENCE' ? 'sequence' : 'set';
      if (this.isSymbol('{')) return { t: kind, list: this.componentList(true) };
      if (this.isSymbol('(')) constraints.push(this.constraint());
      else if (this.peek().text === 'SIZE') constraints.push(this.sizeConstraintWithoutParentheses());
      this.keyword('OF');
      if (this.peek().kind === 'identifier' && !isUpper(this.peek().text)) this.i++;
      return { t: kind === 'sequence' ? 'sequenceof' : 'setof', item: this.type() };
    }
    if (word === 'CHOICE') {
      this.i++;
      return { t: 'choice', list: this.componentList(false) };
    }
    if (word === 'CHARACTER' || word === 'ANY' || word === 'EMBEDDED' || word === 'INSTANCE') {
      this.fail(`${word} types are not supported`);
    }
    if (SIMPLE_TYPES.has(word)) {
      this.i++;
      return { t: 'simple', name: word as SimpleTypeName };
    }
    if (!isUpper(word)) this.fail(`expected a type, found ${describe(token)}`);
    this.i++;
    if (this.isSymbol('.') && this.peek(1).kind === 'field') {
      this.i++;
      return { t: 'classfield', className: word, field: this.next().text };
    }
    let module: string | undefined;
    let name = word;
    if (this.isSymbol('.') && this.peek(1).kind === 'identifier' && isUpper(this.peek(1).text)) {
      this.i++;
      module = word;
      name = this.identifier();
    }
    const args: TypeAst[] = [];
    if (this.isSymbol('{')) {
      this.symbol('{');
      do args.push(this.type());
      while (this.acceptSymbol(','));
      this.symbol('}');
    }
    return { t: 'ref', module, name, args };
  }

  private componentList(allowOptional: boolean): ComponentListAst {
    this.symbol('{');
    const root: ComponentAst[] = [];
    const additions: (ComponentAst | GroupAst)[] = [];
    let state: 'root' | 'additions' | 'root2' = 'root';
    let extensible = false;
    if (this.acceptSymbol('}')) return { root, extensible, additions };
    for (;;) {
      if (this.acceptSymbol('...')) {
        if (this.acceptSymbol('!')) this.exceptionSpec();
        if (state === 'root') {
          state = 'additions';
          extensible = true;
        } else if (state === 'additions') state = 'root2';
        else this.fail('more than two extension markers');
      } else if (this.acceptSymbol('[[')) {
        if (state !== 'additions') this.fail('extension addition group outside the extensions');
        if (this.peek().kind === 'number' && this.peek(1).text === ':') this.i += 2;
        const group: ComponentAst[] = [];
        do group.push(this.component(allowOptional));
        while (this.acceptSymbol(','));
        this.symbol(']]');
        additions.push({ group });
      } else if (this.peek().text === 'COMPONENTS') {
        this.fail('COMPONENTS OF is not supported');
      } else {
        const component = this.component(allowOptional);
        if (state === 'additions') additions.push(component);
        else root.push(component);
      }
      if (!this.acceptSymbol(',')) break;
    }
    this.symbol('}');
    return { root, extensible, additions };
  }

  private component(allowOptional: boolean): ComponentAst {
    const token = this.peek();
    const name = this.identifier();
    if (isUpper(name)) this.fail(`component name ${name} must start with a lower-case letter`);
    const type = this.type();
    let optional = false;
    let defaultValue: ValueAst | undefined;
    if (allowOptional && this.acceptKeyword('OPTIONAL')) optional = true;
    else if (allowOptional && this.acceptKeyword('DEFAULT')) defaultValue = this.value();
    return { name, type, optional, default: defaultValue, position: { line: token.line, column: token.column } };
  }

  private enumeration(): TypeBodyAst {
    this.symbol('{');
    const root: NamedNumber[] = [];
    const additions: NamedNumber[] = [];
    let extensible = false;
    for (;;) {
      if (this.acceptSymbol('...')) {
        if (this.acceptSymbol('!')) this.exceptionSpec();
        extensible = true;
      } else {
        const item = this.namedNumber();
        (extensible ? additions : root).push(item);
      }
      if (!this.acceptSymbol(',')) break;
    }
    this.symbol('}');
    return { t: 'enumerated', root, extensible, additions };
  }

  private namedNumbers(): NamedNumber[] {
    this.symbol('{');
    const items: NamedNumber[] = [];
    do items.push(this.namedNumber());
    while (this.acceptSymbol(','));
    this.symbol('}');
    return items;
  }

  private namedNumber(): NamedNumber {
    const name = this.identifier();
    if (!this.acceptSymbol('(')) return { name, value: undefined };
    const value = this.value();
    this.symbol(')');
    return { name, value };
  }
}
