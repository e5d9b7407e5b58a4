import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrepaidClient, listAll, PrepaidApiError, unwrap } from "../../sdk/src/index.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The SDK against the real HTTP server on the test database. Where a test needs a network
// fault (an answer lost after the server committed, a proxy's 503), it wraps the real fetch:
// the request still reaches the real server, only what comes back is changed.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await app?.close();
});

interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | null;
}

/** The real fetch, recording each attempt; `fault` may replace the answer of attempt n (1-based). */
function recordingFetch(fault?: (attempt: number, answer: Response) => Response | "drop") {
  const sent: Sent[] = [];
  const send = async (request: Request): Promise<Response> => {
    sent.push({ method: request.method, path: new URL(request.url).pathname, idempotencyKey: request.headers.get("Idempotency-Key") });
    const answer = await fetch(request);
    const faulted = fault?.(sent.length, answer);
    if (faulted === "drop") {
      await answer.body?.cancel();
      throw new TypeError("fetch failed (the connection dropped after the server answered)");
    }
    return faulted ?? answer;
  };
  return { sent, send };
}

const operator = (send?: (r: Request) => Promise<Response>, retry?: { maxRetries: number }) =>
  createPrepaidClient({ baseUrl: app.server.url, apiKey: app.adminKey, fetch: send, retry: { baseDelayMs: 10, ...retry } });

async function newAccount(): Promise<string> {
  return (await unwrap(operator().POST("/v1/accounts", { body: { name: "SDK test", type: "user" } }))).id;
}

describe("the SDK", () => {
  it("answers typed data and creates what it says", async () => {
    const id = await newAccount();
    const account = await unwrap(operator().GET("/v1/accounts/{id}", { params: { path: { id } } }));
    expect(account).toMatchObject({ id, name: "SDK test", balance: "0.00" });
    expect(typeof account.balance).toBe("string"); // money stays a string end to end
  });

  it("sends a POST whose answer was lost again with the same Idempotency-Key, and the server applies it once", async () => {
    const id = await newAccount();
    const network = recordingFetch((attempt) => (attempt === 1 ? "drop" : undefined as never));
    const entry = await unwrap(
      operator(network.send).POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: "7.25", reason: "goodwill" } }),
    );
    expect(network.sent).toHaveLength(2);
    expect(network.sent[0]!.idempotencyKey).toMatch(/^sdk_[0-9a-f-]{36}$/);
    expect(network.sent[1]!.idempotencyKey).toBe(network.sent[0]!.idempotencyKey);
    expect(entry.amount).toBe("7.25");
    const account = await unwrap(operator().GET("/v1/accounts/{id}", { params: { path: { id } } }));
    expect(account.balance).toBe("7.25"); // once, not 14.50
    const entries = await listAll((cursor) => unwrap(operator().GET("/v1/accounts/{id}/transactions", { params: { path: { id }, query: { cursor } } })));
    expect(entries).toHaveLength(1);
  });

  it("without retries, the lost answer is the caller's to handle (the network error is not swallowed)", async () => {
    const id = await newAccount();
    const network = recordingFetch(() => "drop");
    await expect(
      operator(network.send, { maxRetries: 0 }).POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: "1.00", reason: "x" } }),
    ).rejects.toThrow(/connection dropped/);
    expect(network.sent).toHaveLength(1);
  });

  it("retries a proxy's 503 and keeps a key the caller chose", async () => {
    const id = await newAccount();
    const network = recordingFetch((attempt) => (attempt === 1 ? new Response("upstream down", { status: 503 }) : (undefined as never)));
    await unwrap(
      operator(network.send).POST("/v1/accounts/{id}/adjustments", {
        params: { path: { id } },
        headers: { "Idempotency-Key": "my-own-key-42" },
        body: { amount: "2.00", reason: "x" },
      }),
    );
    expect(network.sent.map((s) => s.idempotencyKey)).toEqual(["my-own-key-42", "my-own-key-42"]);
  });

  it("does not retry a refused request, and reports the envelope as a typed error", async () => {
    const id = await newAccount();
    const network = recordingFetch();
    const failure = await unwrap(
      operator(network.send).POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: "1.234567891", reason: "x" } }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PrepaidApiError);
    expect(failure).toMatchObject({ status: 400, code: "invalid_request", field: "amount" });
    expect((failure as PrepaidApiError).requestId).toMatch(/^req_/);
    expect(network.sent).toHaveLength(1);
  });

  it("GETs carry no Idempotency-Key; POSTs and PUTs each get their own", async () => {
    const id = await newAccount();
    const network = recordingFetch();
    const client = operator(network.send);
    await unwrap(client.GET("/v1/accounts/{id}", { params: { path: { id } } }));
    await unwrap(client.POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: "1.00", reason: "a" } }));
    await unwrap(client.POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: "1.00", reason: "a" } }));
    const { key } = await unwrap(client.POST("/v1/accounts/{id}/api-keys", { params: { path: { id } } }));
    const own = createPrepaidClient({ baseUrl: app.server.url, apiKey: key, fetch: network.send });
    await unwrap(own.PUT("/v1/accounts/{id}/auto-recharge", { params: { path: { id } }, body: { enabled: false } }));
    const [get, post1, post2, , put] = network.sent.map((s) => s.idempotencyKey);
    expect(get).toBeNull();
    expect(new Set([post1, post2, put]).size).toBe(3);
    expect(put).toMatch(/^sdk_/);
    // Two clicks of the same action are two adjustments: a key names one request, not a body.
    expect((await unwrap(client.GET("/v1/accounts/{id}", { params: { path: { id } } }))).balance).toBe("2.00");
  });

  it("pages through a list to its end, each item once", async () => {
    const id = await newAccount();
    const client = operator();
    for (let i = 1; i <= 7; i++) {
      await unwrap(client.POST("/v1/accounts/{id}/adjustments", { params: { path: { id } }, body: { amount: `${i}.00`, reason: `n${i}` } }));
    }
    const network = recordingFetch();
    const paged = operator(network.send);
    const entries = await listAll((cursor) =>
      unwrap(paged.GET("/v1/accounts/{id}/transactions", { params: { path: { id }, query: { limit: 2, cursor } } })),
    );
    expect(entries.map((e) => e.amount)).toEqual(["7.00", "6.00", "5.00", "4.00", "3.00", "2.00", "1.00"]);
    expect(network.sent).toHaveLength(4); // 2 + 2 + 2 + 1
  });
});
