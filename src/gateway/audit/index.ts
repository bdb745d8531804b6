import type { AuditCheck } from "../../audit/index.js";
import { gatewayAuthCheck } from "./auth.js";
import { controlUiCheck } from "./control-ui.js";
import { proxiesCheck } from "./proxies.js";
import { remoteBindCheck } from "./remote-bind.js";
import { tailscaleCheck } from "./tailscale.js";
import { tokenFileCheck } from "./token-file.js";
import { toolsHttpCheck } from "./tools-http.js";

/** Network exposure checks (where the bot can be reached). */
export const gatewayAuditChecks: readonly AuditCheck[] = [
  gatewayAuthCheck,
  tailscaleCheck,
  proxiesCheck,
  remoteBindCheck,
  controlUiCheck,
  toolsHttpCheck,
  tokenFileCheck,
];

export { gatewayAuth, type GatewayAuthView } from "./credentials.js";
