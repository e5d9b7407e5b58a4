import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Each operation declares the error statuses it can answer (routeErrors). This walks every
// operation of the live document with the requests that reach its refusals — no credential,
// a read-only key, an agency on its subaccount, the operator, ids that do not exist, an empty
// and a wrong body — and checks that every status the server answers is one the document
// declares for that operation, and that nothing answers 5xx.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await app?.close();
});

interface Operation {
  responses: Record<string, unknown>;
}

describe("the document's error statuses", () => {
  it("cover every status each operation answers, and none answers 5xx", async () => {
    const doc = (await app.request("GET", "/openapi.json")).body as { paths: Record<string, Record<string, Operation>> };
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const sub = await app.createAccount({ name: "Sub", type: "subaccount", parent_id: agency.id });
    const own = await app.createAccount({ name: "Own", type: "user" });
    const readKey = (await app.request("POST", `/v1/accounts/${own.id}/api-keys`, { key: own.key, body: { scope: "read" } })).body.key as string;

    const fill = (path: string, id: string) => path.replace(/\{id\}/g, id).replace(/\{[a-z_]+\}/g, "x_doesnotexist0000000000");
    const attempts: { label: string; key?: string; id: string; body?: unknown }[] = [
      { label: "no credential", id: own.id },
      { label: "read-only key", key: readKey, id: own.id, body: {} },
      { label: "own full key, empty body", key: own.key, id: own.id, body: {} },
      { label: "own full key, wrong body", key: own.key, id: own.id, body: { amount: 12.5, unexpected: true } },
      { label: "own full key, another tenant's id", key: own.key, id: sub.id, body: {} },
      { label: "agency on its subaccount", key: agency.key, id: sub.id, body: {} },
      { label: "operator", key: app.adminKey, id: own.id, body: {} },
      { label: "operator, unknown id", key: app.adminKey, id: "acct_doesnotexist000000", body: {} },
    ];

    const undeclared: string[] = [];
    let requests = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (path === "/v1/sessions/current" && method === "delete") continue; // would end nothing: no session here; covered by the sessions tests
        for (const attempt of attempts) {
          const res = await app.request(method.toUpperCase(), fill(path, attempt.id), {
            key: attempt.key,
            body: method === "get" || method === "delete" ? undefined : attempt.body,
          });
          requests++;
          if (res.status >= 500 || !(String(res.status) in operation.responses)) {
            undeclared.push(`${method.toUpperCase()} ${path} (${attempt.label}) → ${res.status} ${JSON.stringify(res.body?.error ?? "").slice(0, 120)}`);
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(250);
    expect(undeclared).toEqual([]);
  }, 120_000);
});
