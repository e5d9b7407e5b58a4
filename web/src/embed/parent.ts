/**
 * Talking to the platform's page when the dashboard runs inside its frame (docs/concepts.md): messages
 * go only to the origins the operator allowed (PREPAID_EMBED_ORIGINS, handed to the page in a
 * meta tag by the server), and only messages from them are heard.
 */

const allowedOrigins: readonly string[] = (document.querySelector('meta[name="prepaid-embed-origins"]')?.getAttribute("content") ?? "")
  .split(" ")
  .filter(Boolean);

/** Inside another page's frame, with at least one origin allowed to hear from us. */
export const framed = window.parent !== window && allowedOrigins.length > 0;

/** What the platform's page hears; `session.ended` / `session.expired`: mint a new link to show Payments again. */
export type PrepaidEventName = "recharge.succeeded" | "recharge.failed" | "card.added" | "settings.saved" | "session.ended" | "session.expired";

function post(message: { type: string } & Record<string, unknown>): void {
  if (!framed) return;
  // One postMessage per allowed origin: the browser delivers only the one whose origin is the
  // parent's, so no other page ever receives a message, whoever frames us.
  for (const origin of allowedOrigins) window.parent.postMessage(message, origin);
}

/** `prepaid:event` to the parent: something the platform may want to react to. */
export function emitEvent(event: PrepaidEventName, data: Record<string, unknown>): void {
  post({ type: "prepaid:event", event, data });
}

/**
 * While framed: posts `prepaid:resize` with the page's height whenever it changes, and answers
 * `prepaid:request-resize` from an allowed parent. Returns the teardown.
 */
export function startFrameBridge(root: HTMLElement): () => void {
  if (!framed) return () => {};
  document.documentElement.classList.add("framed");
  let last = -1;
  const report = (force = false) => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last && !force) return;
    last = height;
    post({ type: "prepaid:resize", height });
  };
  const observer = new ResizeObserver(() => report());
  observer.observe(root);
  report();
  const onMessage = (event: MessageEvent) => {
    if (event.source !== window.parent || !allowedOrigins.includes(event.origin)) return;
    if ((event.data as { type?: unknown } | null)?.type === "prepaid:request-resize") report(true);
  };
  window.addEventListener("message", onMessage);
  return () => {
    observer.disconnect();
    window.removeEventListener("message", onMessage);
  };
}
