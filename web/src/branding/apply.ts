import { useEffect, useState } from "react";
import type { Api } from "../api/client.js";
import type { Account } from "../api/types.js";
import type { components } from "../api/schema.js";
import { accentVariables } from "./contrast.js";

type Branding = components["schemas"]["Branding"];

export interface AppliedBranding {
  displayName: string | null;
  logoUrl: string | null;
}

/** Loads the account's branding (its own, else its agency's) and applies it to the page. */
export function useBranding(api: Api | undefined, me: Account | undefined, version: number): AppliedBranding | undefined {
  const [branding, setBranding] = useState<AppliedBranding>();
  useEffect(() => {
    if (!api || !me) return;
    let live = true;
    api
      .get<Branding>(`/v1/accounts/${me.id}/branding`)
      .then((b) => {
        if (!live) return;
        const root = document.documentElement.style;
        // A cleared colour goes back to the stylesheet's own.
        for (const name of Object.keys(accentVariables("#000000"))) root.removeProperty(name);
        if (b.accent_color) for (const [name, value] of Object.entries(accentVariables(b.accent_color))) root.setProperty(name, value);
        if (b.display_name) document.title = `${b.display_name} — Payments`;
        setBranding({ displayName: b.display_name, logoUrl: b.logo_url });
      })
      // Branding is decoration: without it the page still works, in its default colours.
      .catch(() => live && setBranding({ displayName: null, logoUrl: null }));
    return () => {
      live = false;
    };
  }, [api, me, version]);
  return branding;
}
