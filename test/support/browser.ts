import fs from 'node:fs';

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
