import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The browser tests poll what the page shows; a page re-reads the API within a few seconds.
    expect: { poll: { timeout: 8_000 } },
    // The server secret of every server a test starts, in-process or spawned (never a real one).
    env: { PREPAID_SECRET: "test-secret-0123456789abcdefghijklmnopqrstuvwxyz" },
    // Two cores: more workers only add contention for the database.
    maxWorkers: 2,
  },
});
