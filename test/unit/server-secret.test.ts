import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Secrets } from "../../src/secrets/secrets.js";
import { serverSecret } from "../../src/secrets/server-secret.js";

const dir = mkdtempSync(join(tmpdir(), "prepaid-secret-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the server secret", () => {
  it("is PREPAID_SECRET when set, else generated once into the data directory, owner-only", () => {
    expect(serverSecret("x".repeat(40), dir)).toEqual({ secret: "x".repeat(40), source: "env" });
    const first = serverSecret(undefined, dir);
    expect(first.source).toBe("file");
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, "server-secret")).mode & 0o777).toBe(0o600);
    expect(serverSecret(undefined, dir)).toEqual(first);
  });

  it("a torn or short file is made again", () => {
    const torn = mkdtempSync(join(tmpdir(), "prepaid-secret-torn-"));
    writeFileSync(join(torn, "server-secret"), "short");
    const made = serverSecret(undefined, torn);
    expect(made.secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(torn, "server-secret"), "utf8").trim()).toBe(made.secret);
    rmSync(torn, { recursive: true, force: true });
  });

  it("seals and opens; another secret cannot open, and a changed byte is refused", () => {
    const a = new Secrets("a".repeat(32));
    const sealed = a.seal("ppk_the key");
    expect(sealed).not.toContain("the key");
    expect(a.open(sealed)).toBe("ppk_the key");
    expect(new Secrets("b".repeat(32)).open(sealed)).toBeUndefined();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA");
    expect(a.open(tampered)).toBeUndefined();
    expect(a.mac("api-key", "k")).not.toBe(a.mac("idempotency", "k"));
    expect(() => new Secrets("short")).toThrow("PREPAID_SECRET must be at least 32 characters");
  });
});
