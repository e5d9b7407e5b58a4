// VoxFlow's page: "Payments" in the side panel frames prepaid's page through a fresh session
// link from VoxFlow's own backend, sizes the frame to its content and reacts to its events.
const prepaidOrigin = document.querySelector('meta[name="prepaid-origin"]').content;
const view = document.getElementById("view");
const events = document.getElementById("events");
let frame;

async function showPayments() {
  view.innerHTML = '<p role="status">Opening Payments…</p>';
  const answer = await fetch("/api/payments-link", { method: "POST" });
  const body = await answer.json();
  if (!answer.ok) {
    view.innerHTML = "";
    view.append(Object.assign(document.createElement("p"), { role: "alert", textContent: `Payments is unavailable: ${body.error}` }));
    return;
  }
  frame = Object.assign(document.createElement("iframe"), { src: body.url, title: "Payments" });
  view.replaceChildren(frame);
}

// Only prepaid's origin is listened to; anything else posting to this window is ignored.
window.addEventListener("message", (event) => {
  if (event.origin !== prepaidOrigin || !frame || event.source !== frame.contentWindow) return;
  const message = event.data;
  if (message?.type === "prepaid:resize" && Number.isFinite(message.height)) {
    frame.style.height = `${Math.max(200, Math.ceil(message.height))}px`;
  } else if (message?.type === "prepaid:event") {
    const item = document.createElement("li");
    item.textContent = `${message.event} ${JSON.stringify(message.data)}`;
    events.append(item);
    const toast = Object.assign(document.createElement("div"), { className: "toast", textContent: describe(message) });
    document.getElementById("toasts").append(toast);
    setTimeout(() => toast.remove(), 6000);
  }
});

function describe({ event, data }) {
  if (event === "recharge.succeeded") return `Credit added: $${data.amount}`;
  if (event === "recharge.failed") return `Payment failed (${data.failure_code ?? "declined"})`;
  if (event === "card.added") return `Card •••• ${data.last4} saved`;
  if (event === "session.expired" || event === "session.ended") return "Payments closed: open it again to continue";
  return "Auto-Recharge settings saved";
}

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => {
    for (const other of document.querySelectorAll("nav button")) other.removeAttribute("aria-current");
    button.setAttribute("aria-current", "page");
    frame = undefined;
    if (button.dataset.view === "payments") return void showPayments();
    const title = button.textContent;
    view.innerHTML = `<h1>${title}</h1><p>Your ${title.toLowerCase()} appear here.</p>`;
  });
}
