import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/http/app.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

/**
 * Streams a chunked body (no Content-Length) of up to `totalBytes` and returns the answer and
 * how many bytes went out before it came: the server must stop at the limit, not read it all.
 */
function chunked(path: string, headers: Record<string, string>, totalBytes: number): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, app.server.url);
    let sentBytes = 0;
    let answered = false;
    const req = request(url, { method: "POST", headers: { ...headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked" } }, (res) => {
      answered = true;
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body, sentBytes }));
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    req.write("[");
    pump();
  });
}

describe("the body limit", () => {
  it.each([
    ["/v1/usage with a key", "/v1/usage", true],
    ["/v1/webhooks/stripe with no key", "/v1/webhooks/stripe", false],
  ])("counts a chunked body's bytes as they arrive and stops at the limit: %s", async (_label, path, withKey) => {
    const total = 64 * 1024 * 1024;
    const result = await chunked(path, withKey ? { Authorization: `Bearer ${app.adminKey}` } : {}, total);
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body).error).toMatchObject({ code: "invalid_request", message: `body larger than ${MAX_BODY_BYTES} bytes` });
    // Far less than the 64 MB offered went out before the answer (socket buffers hold a few MB).
    expect(result.sentBytes).toBeLessThan(total / 4);
  });
});
