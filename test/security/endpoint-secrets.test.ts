import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { openEndpointSecret, sealLegacyEndpointSecrets } from "../../src/notifications/webhook-endpoints.js";
import { Secrets } from "../../src/secrets/secrets.js";
import { TEST_SECRET } from "../support/test-app.js";
import { testDatabase, type TestDatabase } from "../support/test-database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => {
  await db?.close();
});

// Endpoints made before secrets were sealed hold the secret itself (whsec_…); every start seals
// those, and only those: an underscore in the pattern is escaped, so "whsecX…" is not taken.
it("seals the webhook secrets stored in the clear, and only those", async () => {
  const secrets = new Secrets(TEST_SECRET);
  await db.db.execute(sql`insert into accounts (id, name, type) values ('acct_seal', 'Seal', 'user')`);
  const sealed = secrets.seal("whsec_already");
  await db.db.execute(
    sql`insert into webhook_endpoints (id, account_id, url, secret) values
          ('whe_clear', 'acct_seal', 'https://example.com/a', 'whsec_plain123'),
          ('whe_sealed', 'acct_seal', 'https://example.com/b', ${sealed}),
          ('whe_lookalike', 'acct_seal', 'https://example.com/c', 'whsecXnotlegacy')`,
  );
  await sealLegacyEndpointSecrets(db.db, secrets);
  await sealLegacyEndpointSecrets(db.db, secrets); // at every start: a no-op the second time
  const rows = new Map(
    (await queryRows<{ id: string; secret: string }>(db.db, sql`select id, secret from webhook_endpoints where account_id = 'acct_seal'`)).map((r) => [r.id, r.secret]),
  );
  expect(rows.get("whe_clear")).not.toContain("whsec_");
  expect(openEndpointSecret(secrets, rows.get("whe_clear")!)).toBe("whsec_plain123");
  expect(rows.get("whe_sealed")).toBe(sealed);
  expect(rows.get("whe_lookalike")).toBe("whsecXnotlegacy");
});
