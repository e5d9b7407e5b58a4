import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// A client can be generated from the document and a reader can follow it: every operation says
// what it does beyond its one-line summary, and every JSON body it takes or answers with
// success carries an example (on the media type, or on the schema it refers to).
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await app?.close();
});

interface Media {
  schema?: { $ref?: string; example?: unknown; type?: string };
  example?: unknown;
  examples?: unknown;
}
interface Operation {
  description?: string;
  requestBody?: { content?: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { example?: unknown }> };
}

it("every operation has a description, and an example for each JSON body it takes or answers with success", async () => {
  const doc = (await app.request("GET", "/openapi.json")).body as Doc;
  const hasExample = (media: Media | undefined): boolean => {
    if (!media) return true; // not JSON (metrics text)
    if (media.example !== undefined || media.examples !== undefined || media.schema?.example !== undefined) return true;
    const ref = media.schema?.$ref?.replace("#/components/schemas/", "");
    return ref !== undefined && doc.components.schemas[ref]?.example !== undefined;
  };
  const missing: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.description || op.description.length < 40) missing.push(`${name}: description`);
      if (!hasExample(op.requestBody?.content?.["application/json"])) missing.push(`${name}: request example`);
      for (const [status, response] of Object.entries(op.responses)) {
        if (status.startsWith("2") && !hasExample(response.content?.["application/json"])) missing.push(`${name}: ${status} example`);
      }
    }
  }
  expect(missing).toEqual([]);
});
