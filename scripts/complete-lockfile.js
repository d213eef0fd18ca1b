#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages that the registry
 * mirror used to resolve it did not serve (for example @swc/core-darwin-arm64): their entries are
 * written from the parent's `optionalDependencies` with the `os`/`cpu`/`libc` their names state, so
 * `npm ci` accepts the lock file on every platform and skips them where they do not apply.
 *
 * Run after `npm install` changed the lock file: `node scripts/complete-lockfile.js`.
 * Idempotent; prints what it added.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPU = { arm64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', wasm32: 'wasm32', universal: null };

/** Platform constraints read from a package name such as `@swc/core-linux-arm64-musl`. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpuPart = parts.find((p) => p in CPU);
  if (!os || cpuPart === undefined) return undefined;
  const result = { os: [os] };
  if (CPU[cpuPart]) result.cpu = [CPU[cpuPart]];
  if (os === 'linux' && parts.includes('musl')) result.libc = ['musl'];
  else if (os === 'linux' && parts.includes('gnu')) result.libc = ['glibc'];
  return result;
}

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const added = [];
for (const [key, entry] of Object.entries({ ...lock.packages })) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const parentDir = key === '' ? '' : `${key}/`;
    const candidates = [`${parentDir}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => lock.packages[c])) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+/.test(version)) continue;
    lock.packages[`node_modules/${dep}`] = { version: version.replace(/^[\^~=]/, ''), ...platform, optional: true };
    added.push(`${dep}@${version}`);
  }
}
if (added.length > 0) {
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  lock.packages = sorted;
  fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(added.length > 0 ? `added ${added.length} platform packages:\n  ${added.join('\n  ')}` : 'lock file complete');
