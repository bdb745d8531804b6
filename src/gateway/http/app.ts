import { Hono, type Context } from "hono";
import type { GatewayAuthenticator } from "../auth/types.js";
import type { ClientAddress } from "../net.js";
import { loadAsset, WEBCHAT_ASSETS, WEBCHAT_CSP } from "./static-assets.js";

/** What the HTTP surface needs from the gateway. */
export interface HttpAppDeps {
  readonly authenticator: GatewayAuthenticator;
  /** Client address of a request (direct peer, or the trusted-proxy resolution). */
  readonly clientAddress: (c: Context) => ClientAddress;
  /** Status document for `GET /api/status` (no secrets). */
  readonly status: () => Promise<unknown> | unknown;
  /**
   * False while part of the gateway is degraded (a store, a channel): `GET /health` then answers
   * `{"ok":false}`, still HTTP 200 (the process is alive; a restart would not help). Default: always true.
   */
  readonly healthy?: () => boolean;
  /** Extra authenticated routes (mounted after auth). */
  readonly routes?: (app: Hono) => void;
  /** Routes mounted BEFORE auth (platform webhooks); each must authenticate its caller itself. */
  readonly publicRoutes?: (app: Hono, client: (c: Context) => ClientAddress) => void;
  /** Called for every refused request (rate limiting, logging). */
  readonly onRefused?: (client: ClientAddress, status: number) => void;
  /**
   * `gateway.controlUi`: whether the WebChat page is served (default true) and under which path
   * (default `/`, else e.g. `/holdfast/` with its files under `/holdfast/webchat/`).
   */
  readonly controlUi?: ControlUiRoutes;
}

/** Where the WebChat page is served; `enabled: false` serves nothing (404). */
export interface ControlUiRoutes {
  readonly enabled: boolean;
  /** `""` for the root, else a path like `/holdfast` (no trailing slash). */
  readonly basePath: string;
}

const PROXY_ATTRIBUTION_BODY = {
  error: {
    message:
      "Proxy client attribution is required. Configure gateway.trustedProxies narrowly and make the proxy overwrite or safely rebuild forwarded client headers.",
    type: "proxy_attribution_required",
  },
};

/**
 * The gateway's HTTP routes (hono). Public: `GET /health` → `{"ok":true}` (`{"ok":false}` while
 * something is degraded; what is degraded is said only to authenticated callers: the `health` method
 * and `/api/status`) and the WebChat page's static files under `gateway.controlUi.basePath` unless
 * `gateway.controlUi.enabled` is false (no data, no secrets; the page authenticates over the
 * WebSocket). Every other route
 * requires `Authorization: Bearer <token>` (or Basic with the password) and answers 401 JSON otherwise.
 */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    c.header("Cache-Control", "no-store");
  });
  app.get("/health", (c) => c.json({ ok: deps.healthy?.() !== false }));
  const ui = deps.controlUi ?? { enabled: true, basePath: "" };
  if (ui.enabled) {
    if (ui.basePath) app.get(ui.basePath, (c) => c.redirect(`${ui.basePath}/`, 308));
    for (const [route, [file, type]] of Object.entries(WEBCHAT_ASSETS)) {
      app.get(`${ui.basePath}${route}`, async (c) => {
        c.header("Content-Type", type);
        c.header("Content-Security-Policy", WEBCHAT_CSP);
        return c.body(new Uint8Array(await loadAsset(file)));
      });
    }
  }
  deps.publicRoutes?.(app, deps.clientAddress);
  app.use("*", async (c, next) => {
    const client = deps.clientAddress(c);
    if (client.unattributedProxy) {
      deps.onRefused?.(client, 403);
      return c.json(PROXY_ATTRIBUTION_BODY, 403);
    }
    const auth = await deps.authenticator.authenticateHttp(c.req.header(), client);
    if (!auth.ok) {
      deps.onRefused?.(client, auth.status);
      for (const [k, v] of Object.entries(auth.headers ?? {})) c.header(k, v);
      return c.json(auth.body as object, auth.status);
    }
    await next();
  });
  app.get("/api/status", async (c) => c.json((await deps.status()) as object));
  deps.routes?.(app);
  app.notFound((c) => c.json({ error: { message: "Not Found", type: "not_found" } }, 404));
  app.onError((_err, c) => c.json({ error: { message: "Internal Server Error", type: "internal" } }, 500));
  return app;
}
