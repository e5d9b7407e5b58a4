import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One call as the fake provider keeps it. */
export interface FakeCall {
  id: string;
  accountId: string | undefined;
  status: "ringing" | "in-progress" | "ended";
  answeredAt: Date | undefined;
  endedAt: Date | undefined;
}

export type Signing = "good" | "none" | "bad" | "stale";

/**
 * The part every local voice-provider fake shares: a loopback HTTP server for the provider's
 * API (hang-up, lookup, live control), the calls it knows, and what prepaid asked of it. Each
 * provider's fake signs its webhooks with that provider's real scheme and speaks its documented
 * wire format; a call hung up through the API ends, and its end event is posted to prepaid
 * (unless `silentEnds`: then only a lookup finds out).
 */
export abstract class FakeVoiceProvider {
  abstract readonly name: "twilio" | "vapi" | "retell";
  /** prepaid's origin, where events are posted. */
  prepaidUrl = "";
  /**
   * The origin the provider believes it calls (prepaid's PREPAID_PUBLIC_URL behind a balancer):
   * Twilio signs the URL with it. Unset: the origin events are posted to.
   */
  publicOrigin: string | undefined;
  readonly calls = new Map<string, FakeCall>();
  /** Call ids prepaid hung up, in order (a second ask of the same call is recorded too). */
  readonly hangUps: string[] = [];
  /** Lines prepaid asked the provider to say (Vapi). */
  readonly said: Array<{ callId: string; text: string }> = [];
  /** Lookups prepaid made, by call id. */
  readonly lookups: string[] = [];
  /** When set, a call ended here (hung up or ended by `endQuietly`) posts no end event. */
  silentEnds = false;
  private server: Server | undefined;
  private counter = 0;

  get url(): string {
    const address = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.read(req).then((body) => this.serve(req, res, body).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The env variables prepaid needs to take this provider's events and reach its API. */
  abstract env(): Record<string, string>;

  /** A new call for an account (its metadata carries prepaid_account_id). */
  dial(accountId: string | undefined): FakeCall {
    this.counter += 1;
    const call: FakeCall = { id: this.newCallId(this.counter), accountId, status: "ringing", answeredAt: undefined, endedAt: undefined };
    this.calls.set(call.id, call);
    return call;
  }

  /** The call's first event before answer (not every provider has one: then undefined). */
  abstract ring(call: FakeCall, signing?: Signing): Promise<Response | undefined>;
  /** The call is answered at `at` (default now) and says so. */
  abstract answer(call: FakeCall, at?: Date, signing?: Signing): Promise<Response>;
  /** The provider's end event, as it is now (the call must have ended here). */
  abstract sendEnd(call: FakeCall, signing?: Signing): Promise<Response>;

  /** The call ends at `at` (default now) and the provider says so. */
  async end(call: FakeCall, at = new Date(), signing: Signing = "good"): Promise<Response> {
    this.finish(call, at);
    return this.sendEnd(call, signing);
  }

  /** The call ends here and the provider never says so (its event lost): only a lookup finds out. */
  endQuietly(call: FakeCall, at = new Date()): void {
    this.finish(call, at);
  }

  /** The provider's duration of an ended call: every started second from answer to end. */
  durationOf(call: FakeCall): number {
    if (!call.answeredAt || !call.endedAt) return 0;
    return Math.ceil((call.endedAt.getTime() - call.answeredAt.getTime()) / 1000);
  }

  protected finish(call: FakeCall, at: Date): void {
    call.status = "ended";
    call.endedAt ??= at;
  }

  /** When set, the provider's API takes this long to answer a hang-up (an API having a bad day). */
  hangUpDelayMs = 0;
  /** When each hang-up request arrived (ms since epoch), beside `hangUps`. */
  readonly hangUpTimes: number[] = [];

  /** The API asked to end a call: it ends now and (unless silent) says so to prepaid. */
  protected async hungUp(call: FakeCall): Promise<void> {
    this.hangUps.push(call.id);
    this.hangUpTimes.push(Date.now());
    if (this.hangUpDelayMs > 0) await new Promise((r) => setTimeout(r, this.hangUpDelayMs));
    if (call.status === "ended") return;
    this.finish(call, new Date());
    if (!this.silentEnds) setImmediate(() => void this.sendEnd(call).catch(() => {}));
  }

  protected abstract newCallId(n: number): string;
  protected abstract serve(req: IncomingMessage, res: ServerResponse, body: string): Promise<void>;

  protected json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  /**
   * When set, every event goes to each of these origins at once (two server processes taking
   * the same delivery, as a provider's retry to another instance behind a balancer would);
   * the answer of the first is returned, and all answers are kept in `answers`.
   */
  fanOut: string[] | undefined;
  readonly answers: Array<{ status: number; outcome: string | undefined }> = [];

  protected async post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
    if (!this.fanOut) return fetch(`${this.prepaidUrl}${path}`, { method: "POST", headers, body });
    const responses = await Promise.all(this.fanOut.map((origin) => fetch(`${origin}${path}`, { method: "POST", headers, body })));
    for (const response of responses) {
      const text = await response.clone().text();
      this.answers.push({ status: response.status, outcome: (JSON.parse(text) as { outcome?: string }).outcome });
    }
    return responses[0]!;
  }

  private read(req: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
  }
}
