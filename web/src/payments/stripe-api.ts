/** A refusal that names the card field it is about, so the form shows it there. */
export class CardFieldError extends Error {
  constructor(
    readonly field: "number" | "expiry" | "cvc",
    message: string,
  ) {
    super(message);
  }
}

/** A request to Stripe's API as Stripe.js makes it: the publishable key, form-encoded parameters. */
export async function stripePost<T>(stripe: { api_base: string; publishable_key: string | null }, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${stripe.api_base}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${stripe.publishable_key}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: { message?: string; param?: string; code?: string } };
  if (res.ok) return body;
  const message = body.error?.message ?? `Stripe answered ${res.status}.`;
  const param = body.error?.param ?? "";
  if (param.includes("number") || body.error?.code === "incorrect_number") throw new CardFieldError("number", message);
  if (param.includes("exp") || body.error?.code?.includes("expiry")) throw new CardFieldError("expiry", message);
  if (param.includes("cvc")) throw new CardFieldError("cvc", message);
  throw new Error(message);
}
