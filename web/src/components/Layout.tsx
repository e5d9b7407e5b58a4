import { useState, type ReactNode } from "react";
import { useResource } from "../api/use-resource.js";
import { useSession } from "../session/session.js";

// The unread count is cheap (one indexed query); 5 s keeps the badge current without a socket.
const UNREAD_POLL_MS = 5_000;

export function Layout({ path, onSignOut, children }: { path: string; onSignOut(): void; children: ReactNode }) {
  const { api, me, navigate, feedVersion, branding } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const feed = useResource(() => api.get<{ unread: number }>(`/v1/accounts/${me.id}/notifications?limit=1`), [me.id, path, feedVersion], UNREAD_POLL_MS);
  const unread = feed.data?.unread ?? 0;

  // An agency's work is its subaccounts: they come first, and its own wallet is named as such.
  const links = [
    ...(me.type === "agency"
      ? [
          { href: "/subaccounts", label: "Subaccounts" },
          { href: "/payments", label: "Agency wallet" },
          { href: "/rebilling", label: "Rebilling" },
        ]
      : [{ href: "/payments", label: "Payments" }]),
    { href: "/notifications", label: "Notifications", badge: unread },
    { href: "/settings", label: "Settings" },
  ];
  const current = (href: string) => path === href || (href === "/payments" && (path === "/" || path === "/payments")) || (href === "/subaccounts" && path.startsWith("/subaccounts/"));

  return (
    <div className="shell">
      <header className="topbar">
        <button type="button" className="menu-button" aria-label="Menu" aria-expanded={menuOpen} aria-controls="side-panel" onClick={() => setMenuOpen(!menuOpen)}>
          ☰
        </button>
        <span className="brand" data-testid="brand">
          {branding?.logoUrl && <img src={branding.logoUrl} alt="" className="brand-logo" referrerPolicy="no-referrer" />}
          {branding?.displayName ?? "prepaid"}
        </span>
        <span className="who" title={me.id}>
          {me.name} <span className="muted">· {me.type}</span>
        </span>
      </header>
      <nav id="side-panel" className={`side-panel${menuOpen ? " open" : ""}`} aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.href}>
              <a
                href={link.href}
                aria-current={current(link.href) ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  setMenuOpen(false);
                  navigate(link.href);
                }}
              >
                {link.label}
                {link.badge ? (
                  <span className="badge" aria-label={`${link.badge} unread`}>
                    {link.badge}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        <button type="button" className="link sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
