/** The tabs of the Control UI. */
export const TABS = ["chat", "approvals", "pairing", "devices", "security", "logs"] as const;
export type Tab = (typeof TABS)[number];

/** Where the UI is: the tab and the selected session, kept in the URL hash (never the token). */
export interface Route {
  readonly tab: Tab;
  readonly session: string;
}

export const DEFAULT_SESSION = "agent:main:main";

/** Reads `#tab=<tab>&session=<key>`; unknown or missing parts fall back to chat / the main session. */
export function parseRoute(hash: string): Route {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const tab = q.get("tab");
  const session = q.get("session")?.trim();
  return {
    tab: (TABS as readonly string[]).includes(tab ?? "") ? (tab as Tab) : "chat",
    session: session && session.length <= 512 ? session : DEFAULT_SESSION,
  };
}

/** The hash for a route. */
export function formatRoute(r: Route): string {
  return `#${new URLSearchParams({ tab: r.tab, session: r.session }).toString()}`;
}
