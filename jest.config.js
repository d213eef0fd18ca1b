/** Jest: unit tests sit next to the code (*.spec.ts); tests against real peers sit in test/. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true } }];
const moduleNameMapper = {
  '^@mcu/sip$': '<rootDir>/libs/sip/src',
  '^@mcu/h323$': '<rootDir>/libs/h323/src',
  '^@mcu/media-mixer$': '<rootDir>/libs/media-mixer/src',
  '^@mcu/conference$': '<rootDir>/libs/conference/src',
};
// @nestjs/* 12, asn1js and sip.js ship as ES modules. Node 20 loads them from CommonJS (require(esm)), but
// jest's module system does not, so jest compiles them to CommonJS with swc like our own sources.
const ESM_PACKAGES = ['@nestjs', '@peculiar', 'asn1js', 'sip\\.js', 'pvtsutils', 'pvutils', 'bytestreamjs', 'uid', '@lukeed'];
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`];
const common = {
  transform: { '^.+\\.(ts|js|mjs)$': swc },
  transformIgnorePatterns,
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/apps', '<rootDir>/libs'], testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'] },
  ],
  // A global option in Jest 30 (ignored inside a project): end-to-end tests start real processes.
  testTimeout: 120000,
};
