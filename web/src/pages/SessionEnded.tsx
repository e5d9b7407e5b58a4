/**
 * Shown instead of the page when a session link did not work or its session is over: the user
 * cannot fix that here, only the platform can open a new one, so the screen says so and, when
 * the platform gave one, links back to it. A link is only ever the platform's own return_url,
 * from the exchange's answer — never one taken from the address bar, which anyone can write.
 */
export function SessionEnded({ reason, returnUrl }: { reason: "invalid" | "expired" | "ended"; returnUrl: string | null }) {
  const title = reason === "ended" ? "You have left Payments" : "This session has expired";
  const text =
    reason === "invalid"
      ? "This Payments link has expired or was already used. Links work once, for a minute: open Payments again from your platform."
      : reason === "expired"
        ? "For your security, Payments sessions end after a while. Open Payments again from your platform to continue."
        : "Your Payments session has ended. Open Payments again from your platform to continue.";
  return (
    <main className="sign-in">
      <section className="card" aria-labelledby="session-ended-title" data-testid="session-ended">
        <h1 id="session-ended-title">{title}</h1>
        <p>{text}</p>
        {returnUrl && (
          <p>
            <a href={returnUrl} target="_top" rel="noopener">
              Return to your platform
            </a>
          </p>
        )}
      </section>
    </main>
  );
}
