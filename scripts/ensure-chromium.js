#!/usr/bin/env node
// The browser tests drive Debian's Chromium (playwright-core never downloads its own browser:
// the network is closed to it). Installs it once when we may; otherwise says how and goes on,
// so `npm test` still runs the rest (the browser test itself decides whether a missing
// Chromium fails the run: it does when CI is set).
'use strict';
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const CHROMIUM = '/usr/bin/chromium';

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function main() {
  if (fs.existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    console.warn(
      `ensure-chromium: ${CHROMIUM} not found and cannot install it here (${isRoot ? 'no apt-get' : 'not root'}). ` +
        "The browser tests need Debian's Chromium: run `sudo apt-get install chromium` (they are skipped without it, and fail when CI is set).",
    );
    return;
  }
  const command = 'apt-get update -qq && apt-get install -y -qq chromium';
  console.log(`ensure-chromium: ${CHROMIUM} not found; installing Debian's Chromium for the browser tests: ${command}`);
  const result = spawnSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0 || !fs.existsSync(CHROMIUM)) {
    console.warn(`ensure-chromium: the install did not give ${CHROMIUM} (exit ${result.status}); the browser tests will say so.`);
    return;
  }
  console.log(`ensure-chromium: installed ${CHROMIUM}`);
}

main();
