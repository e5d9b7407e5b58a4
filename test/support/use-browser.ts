import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./browser.js";

/**
 * One Chromium for a test file: launched before its tests, closed after them. The answer
 * stands for the browser inside tests (like useScenarioApp's app), so a file holds no
 * launch-and-close boilerplate of its own.
 */
export function useBrowser(): Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return new Proxy({} as Browser, {
    get(_, property) {
      if (!browser) throw new Error("assertion: the browser is used inside tests only");
      const value = Reflect.get(browser, property) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(browser) : value;
    },
  });
}
