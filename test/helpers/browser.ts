import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Debian's chromium driven headless by playwright-core (nothing downloads a browser), shared by the
 * integration tests that open report.html. A test skips when chromium or playwright-core is
 * missing, unless BENCH_REQUIRE_BROWSER=1 (CI), where that is a failure.
 */
export const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
export const REQUIRE_BROWSER = process.env.BENCH_REQUIRE_BROWSER === '1';

type Playwright = typeof import('playwright-core');

async function loadPlaywright(): Promise<Playwright | undefined> {
  try {
    return await import('playwright-core');
  } catch {
    return undefined;
  }
}

const playwright = await loadPlaywright();

/** Why the browser cannot be used here, or undefined when it can. */
export function browserMissing(): string | undefined {
  if (!playwright) return 'playwright-core is not installed (npm ci)';
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  return undefined;
}

export interface OpenReport {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors, failed requests and any request leaving the file. */
  problems: string[];
}

/**
 * Opens `<runDir>/report.html` from disk in a persistent chromium context under `userDataDir`
 * (the caller owns and removes it, and closes `context`), recording every problem the page shows.
 */
export async function openReport(runDir: string, userDataDir: string): Promise<OpenReport> {
  const missing = browserMissing();
  if (missing || !playwright) throw new Error(`no browser: ${missing}`);
  const context = await playwright.chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 1000 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const url = pathToFileURL(path.join(runDir, 'report.html')).href;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, problems };
}
