import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it when absent. */
export const CHROMIUM_PATH = process.env.PREPAID_CHROMIUM ?? "/usr/bin/chromium";

// Headless as root in a sandboxed machine with no outside network: without the background
// networking flags Chromium keeps dialling Google's hosts and getting refused.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Playwright gives each launch a fresh temporary user-data dir, removed on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far; a test ends by asserting none. */
  problems: string[];
}

/** A new page in its own context (own sessionStorage), recording console errors. */
export async function openPage(browser: Browser, baseUrl: string, width = 1280, height = 900): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width, height } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    // Chromium logs every non-2xx fetch as "Failed to load resource"; a 4xx the page shows to
    // the user is expected behaviour, so those are judged by their status below instead.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource: the server responded with a status of 4")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 500) problems.push(`HTTP ${response.status()} from ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto("/");
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("main.content").waitFor();
}

/** A new page at `width` px, signed in with `key`: where most browser tests start. */
export async function openSignedIn(browser: Browser, baseUrl: string, key: string, width = 1280): Promise<WatchedPage> {
  const watched = await openPage(browser, baseUrl, width);
  await signIn(watched.page, key);
  return watched;
}

/** A new page opened at a session link (`POST …/sessions`'s url), as a platform's user arrives. */
export async function openSessionLink(browser: Browser, baseUrl: string, link: string, width = 1280): Promise<WatchedPage> {
  const watched = await openPage(browser, baseUrl, width);
  await watched.page.goto(link);
  await watched.page.locator("main.content").waitFor();
  return watched;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG 2.x A/AA violations in `selector` (the whole page by default), one line each. */
export async function axeViolations(page: Page, selector = "body"): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(
    `axe.run(document.querySelector(${JSON.stringify(selector)}), { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] })
      .then((r) => r.violations.flatMap((v) => v.nodes.map((n) => v.id + ": " + n.target.join(" ") + " — " + n.failureSummary)))`,
  );
}

/** Stripe's origins the page and Stripe.js talk to, and where the local Stripe serves each. */
const STRIPE_ORIGINS: Record<string, string> = {
  "https://js.stripe.com": "/_js",
  "https://hooks.stripe.com": "/_hooks",
  "https://api.stripe.com": "",
};

/**
 * Routes Stripe's origins in `context` to the local Stripe-compatible server (`localStripeUrl`):
 * Stripe.js's URL gets its fake, the API the same state the SDK tests see. Real Stripe.js
 * refuses to load from anywhere but js.stripe.com, and so the page loads it from there as in
 * production; only this browser's routing differs. Nothing leaves the machine.
 */
export async function routeStripe(context: BrowserContext, localStripeUrl: string): Promise<void> {
  await context.route(/^https:\/\/(js|hooks|api)\.stripe\.com\//, async (route) => {
    const url = new URL(route.request().url());
    const prefix = STRIPE_ORIGINS[url.origin];
    if (prefix === undefined) return route.abort();
    const response = await route.fetch({ url: `${localStripeUrl}${prefix}${url.pathname}${url.search}` });
    await route.fulfill({ response });
  });
}
