// The browser tests' one way to start Chromium and to hear what a page's CSP blocked. Written against the
// few Playwright members it uses (structurally), so that shared needs no playwright-core: the packages whose
// tests drive a browser pass their own `chromium` and pages in.

/** Debian's chromium, unless CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface ChromiumLauncher<B> {
  launch(options: { executablePath: string; args: string[] }): Promise<B>;
}

/** Launches headless Chromium (at {@link CHROMIUM}) through playwright-core's `chromium`. */
export function launchChromium<B>(chromium: ChromiumLauncher<B>): Promise<B> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}

interface ObservablePage {
  on(event: 'console', listener: (message: { text(): string }) => void): unknown;
  exposeFunction(name: string, callback: (violation: string) => unknown): Promise<unknown>;
  addInitScript(script: string): Promise<unknown>;
}

/**
 * Collects what the browser says the page's CSP blocked: the console messages Chromium prints and
 * the securitypolicyviolation events (an init script runs outside the page's policy). Call it before
 * the page navigates.
 */
export async function cspViolations(page: ObservablePage): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.exposeFunction('reportCspViolation', (v: string) => seen.push(v));
  // A string: the test's TypeScript has no DOM types, the browser runs it as is.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI))",
  );
  return seen;
}
