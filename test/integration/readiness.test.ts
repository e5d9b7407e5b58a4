import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe("GET /readyz", () => {
  it("is ready when the database answers, every migration is applied and the workers run", async () => {
    const res = await app.request("GET", "/readyz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok", workers: "ok" } });
  });

  it("is not ready, and says which check fails, when a migration is missing or a worker stopped", async () => {
    // A database one migration behind this build (the newest one's record removed).
    await app.db.db.execute(sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`);
    const behind = await app.request("GET", "/readyz");
    expect(behind.status).toBe(503);
    expect(behind.body).toEqual({ status: "not_ready", checks: { database: "ok", migrations: "failing", workers: "ok" } });
    await app.worker!.stop();
    expect((await app.request("GET", "/readyz")).body.checks.workers).toBe("failing");
    // Liveness is another question: the process and its database still answer.
    expect((await app.request("GET", "/healthz")).status).toBe(200);
  });
});

describe("GET /readyz on a process that runs no workers", () => {
  it("does not count workers it was not started to run", async () => {
    const apiOnly = await startTestApp({}, { worker: false });
    try {
      const res = await apiOnly.request("GET", "/readyz");
      expect(res.status).toBe(200);
      expect(res.body.checks.workers).toBe("not run here");
    } finally {
      await apiOnly.close();
    }
  });
});
