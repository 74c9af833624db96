#!/usr/bin/env node
// The board is a Preact app in web/, built by Vite into web/dist, which the server serves at
// /board/ (server/http/app.ts). `npm install` / `npm ci` build it (the `prepare` script, with
// --always); `npm start` and the browser tests build it only when web/dist is missing or older
// than the sources, so a fresh clone's two README commands give a working board.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const WEB = path.join(ROOT, 'web');
const BUILT = path.join(WEB, 'dist', 'index.html');
const SOURCES = [path.join(WEB, 'src'), path.join(WEB, 'index.html'), path.join(WEB, 'vite.config.mts'), path.join(ROOT, 'package-lock.json')];

function newestChange(file) {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(file).reduce((newest, name) => Math.max(newest, newestChange(path.join(file, name))), stat.mtimeMs);
}

function isStale() {
  if (!fs.existsSync(BUILT)) return true;
  const built = fs.statSync(BUILT).mtimeMs;
  return SOURCES.some((source) => newestChange(source) > built);
}

/** Builds web/dist when asked to always, or when it is missing or stale. Returns false when the build failed. */
function ensureWebBuild({ always = false, quiet = false } = {}) {
  if (!always && !isStale()) return true;
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!fs.existsSync(vite)) {
    // An install without the dev dependencies (npm ci --omit=dev) cannot build; the server then says the board is not built.
    console.warn('ensure-web-build: vite is not installed, the board (web/) is not built; run `npm install` with dev dependencies, then `npm run build:web`.');
    return !always;
  }
  if (!quiet) console.log('ensure-web-build: building the board (web/ → web/dist) with Vite');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(WEB, 'vite.config.mts'), '--logLevel', quiet ? 'warn' : 'info'], { cwd: ROOT, stdio: 'inherit' });
  return result.status === 0;
}

module.exports = { ensureWebBuild };

if (require.main === module) {
  const ok = ensureWebBuild({ always: process.argv.includes('--always') });
  process.exit(ok ? 0 : 1);
}
