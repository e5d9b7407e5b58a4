import { describe, expect, it } from "vitest";
import { GroupCommit, type Queued } from "../../src/db/group-commit.js";
import { isLostConnection } from "../../src/db/errors.js";
import { AppError } from "../../src/errors/app-error.js";

type Item = { n: number };

/** A queue whose commit records each batch it was given and fails as `fail` says. */
function queue(fail: (batch: Item[]) => Error | undefined) {
  const batches: number[][] = [];
  const commit = async (batch: Queued<Item, number>[]) => {
    batches.push(batch.map((i) => i.n));
    const error = fail(batch);
    if (error) throw error;
    for (const item of batch) item.resolve(item.n * 10);
  };
  return { batches, q: new GroupCommit<Item, number>(commit, { maxBatchWeight: 100, concurrency: 1, maxQueuedWeight: 1_000 }) };
}

const terminated = () =>
  Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });

describe("GroupCommit", () => {
  it("commits what queued together as one batch", async () => {
    const { batches, q } = queue(() => undefined);
    expect(await Promise.all([1, 2, 3].map((n) => q.submit({ n })))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("splits a batch that one bad item failed, so only that item fails", async () => {
    const { batches, q } = queue((batch) => (batch.some((i) => i.n === 2) ? new Error("bad item 2") : undefined));
    const results = await Promise.allSettled([1, 2, 3].map((n) => q.submit({ n })));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it("fails every item of a batch that lost its connection, at once, without one transaction per item", async () => {
    const { batches, q } = queue(() => terminated());
    const results = await Promise.allSettled([1, 2, 3].map((n) => q.submit({ n })));
    expect(results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "ok"))).toEqual([
      "terminating connection due to administrator command",
      "terminating connection due to administrator command",
      "terminating connection due to administrator command",
    ]);
    expect(batches).toEqual([[1, 2, 3]]);
  });
});

describe("GroupCommit's bound", () => {
  it("refuses with rate_limited what would pass the bound while a batch commits, and takes work again once it drains", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const q = new GroupCommit<Item, number>(
      async (batch) => {
        await blocked;
        for (const item of batch) item.resolve(item.n);
      },
      { maxBatchWeight: 2, concurrency: 1, maxQueuedWeight: 3 },
    );
    const first = q.submit({ n: 1 }); // taken into the first batch at once, which then blocks
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = [q.submit({ n: 2 }), q.submit({ n: 3 }), q.submit({ n: 4 })]; // 3 waiting: the bound
    const refused = await q.submit({ n: 5 }).then(
      () => undefined,
      (error: unknown) => error as AppError,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "rate_limited", status: 429, retryAfterSeconds: 1 });
    release();
    expect(await Promise.all([first, ...waiting])).toEqual([1, 2, 3, 4]);
    expect(await q.submit({ n: 6 })).toBe(6);
  });

  it("takes an item heavier than the bound when nothing waits", async () => {
    const q = new GroupCommit<Item, number>(async (batch) => batch.forEach((i) => i.resolve(i.n)), { maxBatchWeight: 2, concurrency: 1, maxQueuedWeight: 3, weight: (i) => i.n });
    expect(await q.submit({ n: 10 })).toBe(10);
  });
});

describe("isLostConnection", () => {
  it("knows the server's and the driver's ways of saying the connection is gone, through wrappers", () => {
    const wrapped = (cause: Error) => new Error("Failed query: select 1", { cause });
    expect(isLostConnection(wrapped(terminated()))).toBe(true);
    expect(isLostConnection(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(isLostConnection(wrapped(new Error("Connection terminated unexpectedly")))).toBe(true);
    expect(isLostConnection(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
    expect(isLostConnection(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))).toBe(true);
  });

  it("does not take a statement's own failure for one", () => {
    expect(isLostConnection(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isLostConnection(Object.assign(new Error("deadlock detected"), { code: "40P01" }))).toBe(false);
    expect(isLostConnection(new Error("assertion: a claimed idempotency key has a stored response"))).toBe(false);
    expect(isLostConnection("Connection terminated")).toBe(false);
  });
});
