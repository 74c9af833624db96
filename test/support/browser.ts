import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-chromium.js installs it): playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const hasChromium = fs.existsSync(CHROMIUM);

/**
 * Browser tests run in Chromium when it is there; without it they are skipped on a developer's
 * machine (with a warning) and fail in CI, where a missing browser must not pass as green.
 */
export const describeInBrowser: jest.Describe = hasChromium || process.env.CI ? describe : describe.skip;
if (!hasChromium && !process.env.CI) {
  console.warn(`the browser tests are skipped: ${CHROMIUM} is missing (run \`node scripts/ensure-chromium.js\` as root, or \`apt-get install chromium\`)`);
}

/** In a beforeAll: CI without Chromium is a failure with the fix in its message. */
export function requireChromium(): void {
  if (!hasChromium) throw new Error(`Chromium is missing at ${CHROMIUM} and CI is set: the browser tests cannot run. Install it with \`node scripts/ensure-chromium.js\` as root (apt-get install chromium).`);
}

/** An app (a harness's) listening on a loopback port, as a browser reaches it. */
export interface Served {
  baseUrl: string;
  close(): Promise<void>;
}

export async function serveOnLoopback(app: http.RequestListener): Promise<Served> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Chromium on a profile of its own, removed when closed. */
export interface ChromiumProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport: { width: number; height: number }, options: { locale?: string; timezoneId?: string } = {}): Promise<ChromiumProfile> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, ...options });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
