import type { SchemaNode } from '../per/schema';
import { Asn1CompileError } from './asn1-error';
import { compileAsn1, compileModules } from './compiler';

/** Names of the root components/alternatives of a SEQUENCE, SET or CHOICE node. */
function rootNames(node: SchemaNode): string[] {
  if (node.kind !== 'SEQUENCE' && node.kind !== 'CHOICE') throw new Error(`${node.kind} has no components`);
  return node.root.map((c) => c.name);
}

function types(text: string): Record<string, SchemaNode> {
  const modules = compileModules([{ name: 'test.asn', text }]);
  return modules[0].types as Record<string, SchemaNode>;
}

const asn1Module = (body: string, tagging = 'AUTOMATIC TAGS'): string =>
  `Test DEFINITIONS ${tagging} ::= BEGIN\n${body}\nEND\n`;

describe('ASN.1 compiler', () => {
  describe('PER-visible constraints (X.691 §9.3)', () => {
    it.each([
      ['INTEGER (1..10 | 20..30)', { kind: 'INTEGER', lb: 1, ub: 30 }],
      ['INTEGER (MIN..5)', { kind: 'INTEGER', ub: 5 }],
      ['INTEGER (1..MAX)', { kind: 'INTEGER', lb: 1 }],
      ['INTEGER (0<..<10)', { kind: 'INTEGER', lb: 1, ub: 9 }],
      ['INTEGER (0..maxCount)', { kind: 'INTEGER', lb: 0, ub: 16 }],
      ['INTEGER (0..100) (10..200)', { kind: 'INTEGER', lb: 10, ub: 100 }],
      ['INTEGER (0..16383, ...)', { kind: 'INTEGER', lb: 0, ub: 16383, extensible: true }],
      ['INTEGER (0..10, ...) (0..5)', { kind: 'INTEGER', lb: 0, ub: 5 }],
      ['SEQUENCE SIZE (1..4) OF BOOLEAN', { kind: 'SEQUENCE OF', item: { kind: 'BOOLEAN' }, size: { lb: 1, ub: 4 } }],
      ['SET (SIZE (2, ...)) OF NULL', { kind: 'SEQUENCE OF', set: true, item: { kind: 'NULL' }, size: { lb: 2, ub: 2, extensible: true } }],
      ['OCTET STRING (SIZE (16))', { kind: 'OCTET STRING', size: { lb: 16, ub: 16 } }],
      ['BIT STRING (SIZE (0..maxCount))', { kind: 'BIT STRING', size: { lb: 0, ub: 16 } }],
      [
        'IA5String (FROM ("a".."c" | "x") ^ SIZE (1..8, ...))',
        { kind: 'STRING', stringType: 'IA5String', size: { lb: 1, ub: 8, extensible: true }, alphabet: 'abcx' },
      ],
      [
        'IA5String (SIZE (1..128)) (FROM ("0123456789#*,"))',
        { kind: 'STRING', stringType: 'IA5String', size: { lb: 1, ub: 128 }, alphabet: '#*,0123456789' },
      ],
      ['VisibleString (FROM ("a".."f")) (FROM ("d".."z"))', { kind: 'STRING', stringType: 'VisibleString', alphabet: 'def' }],
      ['BMPString (SIZE (1..256))', { kind: 'STRING', stringType: 'BMPString', size: { lb: 1, ub: 256 } }],
      ['GeneralString', { kind: 'STRING', stringType: 'GeneralString' }],
      ['INTEGER (0..10) (CONSTRAINED BY { -- anything -- })', { kind: 'INTEGER', lb: 0, ub: 10 }],
    ])('%s', (notation, expected) => {
      expect(types(asn1Module(`maxCount INTEGER ::= 16\nT ::= ${notation}`)).T).toEqual(expected);
    });

    it('applies a constraint on a reference to the referenced type (and drops its size extensibility)', () => {
      const t = types(asn1Module('Name ::= VisibleString (SIZE (1..64, ...))\nInitial ::= Name (SIZE (1))\nAlias ::= Name'));
      expect(t.Initial).toEqual({ kind: 'STRING', stringType: 'VisibleString', size: { lb: 1, ub: 1 } });
      expect(t.Alias).toEqual({ kind: 'REF', module: 'Test', name: 'Name' });
    });

    it('keeps a reference when the constraint is not PER-visible', () => {
      const t = types(asn1Module('S ::= SEQUENCE { a BOOLEAN OPTIONAL }\nT ::= S (WITH COMPONENTS { a PRESENT })'));
      expect(t.T).toEqual({ kind: 'REF', module: 'Test', name: 'S' });
    });
  });

  describe('structure', () => {
    it('numbers and orders ENUMERATED items by value (X.680 §20, X.691 §13)', () => {
      const t = types(asn1Module('E ::= ENUMERATED { a, b(5), c, ..., d(7), e }'));
      expect(t.E).toEqual({ kind: 'ENUMERATED', root: ['a', 'c', 'b'], additions: ['d', 'e'], extensible: true });
    });

    it('splits root, extension additions, groups and the second root part', () => {
      const t = types(asn1Module('S ::= SEQUENCE { a BOOLEAN, ..., b NULL, [[ c INTEGER, d NULL OPTIONAL ]], ..., e BOOLEAN DEFAULT TRUE }'));
      expect(t.S).toEqual({
        kind: 'SEQUENCE',
        root: [
          { name: 'a', type: { kind: 'BOOLEAN' } },
          { name: 'e', type: { kind: 'BOOLEAN' }, default: true },
        ],
        extensible: true,
        additions: [
          { name: 'b', type: { kind: 'NULL' } },
          { group: [{ name: 'c', type: { kind: 'INTEGER' } }, { name: 'd', type: { kind: 'NULL' }, optional: true }] },
        ],
      });
    });

    it('puts SET components and CHOICE alternatives in canonical tag order unless tagged automatically', () => {
      const explicit = types(
        asn1Module(
          'S ::= SET { z [2] BOOLEAN, y [APPLICATION 1] NULL, x INTEGER }\nC ::= CHOICE { p [1] NULL, q [0] BOOLEAN, r [PRIVATE 0] NULL }',
          '',
        ),
      );
      expect(rootNames(explicit.S)).toEqual(['x', 'y', 'z']);
      expect(rootNames(explicit.C)).toEqual(['q', 'p', 'r']);
      const automatic = types(asn1Module('S ::= SET { z BOOLEAN, y NULL, x INTEGER }'));
      expect(rootNames(automatic.S)).toEqual(['z', 'y', 'x']);
    });

    it('makes SEQUENCE, CHOICE and ENUMERATED extensible under EXTENSIBILITY IMPLIED', () => {
      const t = types(asn1Module('S ::= SEQUENCE { a BOOLEAN }\nE ::= ENUMERATED { a }', 'AUTOMATIC TAGS EXTENSIBILITY IMPLIED'));
      expect(t.S).toMatchObject({ extensible: true });
      expect(t.E).toMatchObject({ extensible: true });
    });

    it('instantiates parameterized types with actual types from the using module', () => {
      const modules = compileModules([
        { name: 'a.asn', text: 'A DEFINITIONS AUTOMATIC TAGS ::= BEGIN\nWRAP { T } ::= SEQUENCE { body T, n INTEGER }\nEND' },
        {
          name: 'b.asn',
          text: 'B DEFINITIONS AUTOMATIC TAGS ::= BEGIN\nIMPORTS WRAP{} FROM A;\nX ::= WRAP { Y }\nY ::= BOOLEAN\nEND',
        },
      ]);
      expect(modules[1].types.X).toEqual({
        kind: 'SEQUENCE',
        root: [
          { name: 'body', type: { kind: 'REF', module: 'B', name: 'Y' } },
          { name: 'n', type: { kind: 'INTEGER' } },
        ],
      });
    });

    it('reads comments, Module.Type references and TYPE-IDENTIFIER.&Type', () => {
      const schema = compileAsn1([
        {
          name: 'c.asn',
          text: asn1Module('/* block /* nested */ */ T ::= TYPE-IDENTIFIER.&Type (Test.U) -- trailing -- \nU ::= NULL -- x'),
        },
      ]);
      const t = schema.get('Test', 'T');
      expect(t.kind === 'OPEN TYPE' && t.contains?.kind).toBe('NULL');
    });
  });

  describe('errors', () => {
    it.each([
      [asn1Module('T ::= SEQUENCE { a }'), /test\.asn:2:20: expected a type, found "}"/],
      [asn1Module('T ::= U'), /test\.asn:2:7: unknown type U/],
      [asn1Module('T ::= SEQUENCE { A BOOLEAN }'), /must start with a lower-case letter/],
      [asn1Module('T ::= ANY'), /ANY types are not supported/],
      [asn1Module('T ::= REAL'), /REAL is not supported/],
      ['Test DEFINITIONS ::= BEGIN\nIMPORTS X FROM Other;\nEND', /imported module Other is not among the sources/],
      [asn1Module('T ::= IA5String ("abc'), /unterminated character string/],
      ['Test DEFINITIONS ::= BEGIN T ::= NULL', /module Test has no END/],
    ])('%#: %s', (text, message) => {
      expect(() => compileModules([{ name: 'test.asn', text }])).toThrow(Asn1CompileError);
      expect(() => compileModules([{ name: 'test.asn', text }])).toThrow(message);
    });
  });
});
