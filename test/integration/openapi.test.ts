import { validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3 document", async () => {
    const res = await app.request("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(res.body));
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it("lists every route the server answers", async () => {
    const doc = (await app.request("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const served = createApp(app.deps)
      // GET /* is the dashboard (HTML), and /docs/redoc.standalone.js the reference page's script:
      // not part of the API the document describes (the page itself, /docs, is listed).
      .routes.filter((r) => r.method !== "ALL" && !(r.method === "GET" && (r.path === "/*" || r.path === "/docs/redoc.standalone.js")))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(8);
    for (const route of served) expect(documented, route).toContain(route);
  });

  it("answers /healthz and /metrics without a key", async () => {
    expect((await app.request("GET", "/healthz")).body).toEqual({ status: "ok" });
    const metrics = await app.request("GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('prepaid_http_requests_total{method="GET",route="/healthz",status="200"}');
  });

  it("answers an unknown route with the error envelope", async () => {
    const res = await app.request("GET", "/v1/nothing-here", { key: app.adminKey });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
