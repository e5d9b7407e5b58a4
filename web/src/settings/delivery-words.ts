/** A delivery's last answer, pure: a webhook's HTTP status, an email's SMTP reply (250: the mail server took it). */
export function answerText(channel: "webhook" | "email", code: number): string {
  if (channel === "email") return code === 250 ? "accepted by the mail server" : `mail server answered ${code}`;
  return `HTTP ${code}`;
}
