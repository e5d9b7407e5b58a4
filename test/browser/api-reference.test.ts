import { describe, expect, it } from "vitest";
import { openPage } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { useScenarioApp } from "../support/scenario.js";

// Issue 29, item 2: GET /docs renders the API reference from the service's own /openapi.json,
// with the renderer served by the service itself: the page asks nothing of any other origin.
const app = useScenarioApp();
const browser = useBrowser();

describe("the API reference at /docs", { timeout: 60_000 }, () => {
  it("renders every tag and the routes' examples from /openapi.json, with no request to another origin", async () => {
    const watched = await openPage(browser, app.server.url, 1280);
    const { page } = watched;
    const elsewhere: string[] = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (!["blob:", "data:"].includes(url.protocol) && url.origin !== app.server.url) elsewhere.push(r.url());
    });
    const answer = await page.goto("/docs");
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 20_000 }).toContain("prepaid");
    const text = () => page.locator("body").innerText();
    await expect.poll(text, { timeout: 20_000 }).toContain("Authorise a call");
    expect(await text()).toContain("Save a card (never charged on save)");
    expect(await text()).toContain("idempotency_conflict");
    expect(elsewhere).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("is served with its renderer by this origin, not a CDN", async () => {
    const page = await app.request("GET", "/docs");
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<script src="/docs/redoc.standalone.js"></script>');
    expect(String(page.body)).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${app.server.url}/docs/redoc.standalone.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toContain("javascript");
    expect((await bundle.text()).length).toBeGreaterThan(500_000);
  });
});
