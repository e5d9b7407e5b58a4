import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { API_TYPES_PATH, apiTypes } from "../../scripts/api-types.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await app?.close();
});

// The SDK's and the dashboard's API types are generated from the service's own document; a route or schema
// changed without `npm run api:types` fails here instead of drifting from what the page reads.
it("the API types of the SDK and the dashboard are what /openapi.json generates now (npm run api:types)", async () => {
  const document = (await app.request("GET", "/openapi.json")).body as object;
  expect(readFileSync(API_TYPES_PATH, "utf8")).toBe(await apiTypes(document));
}, 60_000);
