import { chromium, type Browser, type Page } from "playwright-core";
import { createTestApp, type TestApp } from "./app";
import { startAws, type FakeKey } from "./aws";
import { freePort } from "./net";

/** Debian's Chromium; the wrapper at /usr/bin/chromium prints a harmless warning, the binary does not. */
const CHROMIUM = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) => Bun.file(p).size > 0) ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Serves a test app for the browser (on `port`, or any free one); returns its base URL and a stop function. */
export function serve(t: TestApp, port = 0): { url: string; stop(): Promise<void> } {
  const server = t.app.listen({ port, hostname: "127.0.0.1" });
  return { url: `http://127.0.0.1:${server.server!.port}`, stop: async () => void (await server.stop()) };
}

/**
 * Collects what the page reports as broken: script errors, failed loads and CSP violations (which
 * Chromium reports as console errors). A journey ends by asserting this list is empty.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("requestfailed", (req) => {
    // A navigation cancels loads still in flight (the favicon, say); that is not a failure.
    if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return problems;
}

/** Signs up through the page, as a newcomer would, and waits for the dashboard. */
/**
 * Waits until htmx has finished its swaps. New content is in the page a moment (htmx's settle delay)
 * before htmx wires its triggers; a person never types that fast, a test can, and its input is lost.
 */
export async function htmxSettled(page: Page) {
  await page.waitForFunction(() => !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling"));
}

export async function signUpInBrowser(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/dashboard$/);
}

export interface Journey {
  t: TestApp;
  browser: Browser;
  /** The app's base URL, as the browser reaches it. */
  url: string;
  aws: Awaited<ReturnType<typeof startAws>> | null;
  stop(): Promise<void>;
}

/**
 * Everything a browser journey needs: the AWS doubles (when keys are given), the app served on a
 * port with PUBLIC_URL pointing at it (plain http on this machine, as a newcomer's first try would
 * be), and Chromium.
 */
export async function startJourney(options: { keys?: Record<string, FakeKey>; startJobs?: boolean; env?: Record<string, string> } = {}): Promise<Journey> {
  const aws = options.keys ? await startAws(options.keys) : null;
  const port = freePort();
  // The SNS subscription set-up may visit the fake's confirmation address.
  const sns: Record<string, string> = aws ? { SNS_SUBSCRIBE_URL_PATTERN: `^${aws.fake.url.replace(/[.]/g, "\\.")}/` } : {};
  const t = await createTestApp({ startJobs: options.startJobs, env: { ...aws?.env, ...sns, ...options.env, PUBLIC_URL: `http://127.0.0.1:${port}` } });
  const server = serve(t, port);
  const browser = await launchBrowser();
  return {
    t,
    browser,
    url: server.url,
    aws,
    async stop() {
      await browser.close();
      await server.stop();
      await t.close();
      await aws?.stop();
    },
  };
}
