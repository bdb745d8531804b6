/** The tabs of the Control UI. */
export const TABS = ["chat", "approvals", "pairing", "devices", "channels", "security", "logs"] as const;
export type Tab = (typeof TABS)[number];

/**
 * The scope each tab needs (the scope of the gateway methods it calls); a tab the connection lacks the
 * scope for is not shown. Chat needs `operator.read` (sending needs `operator.write`).
 */
export const TAB_SCOPES: Readonly<Record<Tab, string>> = {
  chat: "operator.read",
  approvals: "operator.approvals",
  pairing: "operator.pairing",
  devices: "operator.pairing",
  channels: "operator.admin",
  security: "operator.admin",
  logs: "operator.admin",
};

/** True when `granted` covers `scope` (admin covers all; write covers read), as the gateway decides. */
export function hasScope(granted: ReadonlySet<string>, scope: string): boolean {
  return (
    granted.has("operator.admin") || granted.has(scope) || (scope === "operator.read" && granted.has("operator.write"))
  );
}

/** The tabs a connection with `granted` scopes may see, in order. */
export function visibleTabs(granted: ReadonlySet<string>): Tab[] {
  return TABS.filter((t) => hasScope(granted, TAB_SCOPES[t]));
}

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
