import { describe, expect, it } from "vitest";
import { describeDatabaseUrl } from "../../src/db/database-url.js";
import { unixSocketUrl } from "../support/database-url.js";

describe("what a DATABASE_URL names", () => {
  it("says TCP host and database, or the socket's directory", () => {
    expect(describeDatabaseUrl("postgres://postgres@127.0.0.1:5432/test")).toBe("PostgreSQL at 127.0.0.1:5432/test");
    expect(describeDatabaseUrl("postgres://postgres@/test?host=/var/run/postgresql")).toBe("PostgreSQL at test on the Unix socket in /var/run/postgresql");
    expect(describeDatabaseUrl("postgresql://app:secret@/billing?host=%2Frun%2Fpg")).toBe("PostgreSQL at billing on the Unix socket in /run/pg");
  });

  it("builds the socket form of a TCP URL, keeping user and database", () => {
    expect(unixSocketUrl("postgres://postgres@127.0.0.1:5432/test", "/var/run/postgresql")).toBe("postgres://postgres@/test?host=%2Fvar%2Frun%2Fpostgresql");
    expect(describeDatabaseUrl(unixSocketUrl("postgres://app:pw@10.0.0.5/db", "/run/pg"))).toBe("PostgreSQL at db on the Unix socket in /run/pg");
  });
});
