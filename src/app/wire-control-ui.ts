import type { AccessStage } from "../access/index.js";
import { POLICY_CHANNEL_IDS } from "../config/index.js";
import type { MethodRegistrar } from "../gateway/index.js";
import { AUDIT_CHECKS } from "./audit-checks/index.js";
import type { AppContext } from "./context.js";
import { operatorMethods } from "./control-ui/operator-methods.js";
import { pairingMethods } from "./control-ui/pairing-methods.js";

/**
 * The methods the Control UI's operator views read that no stage offered on the socket: DM pairing
 * (`pairing.*`, over the access stage's stores), `security.audit` and `logs.tail`. Kept apart so they can
 * join the reference-client methods (`sessions.*`, `agents.list`, ...) in one registry.
 */
export function wireControlUi(
  ctx: AppContext,
  w: { readonly access: AccessStage; readonly methods: MethodRegistrar },
): void {
  const channels = ctx.config.channels ?? {};
  const configured = () => POLICY_CHANNEL_IDS.filter((c) => channels[c] !== undefined);
  const accounts = (channel: string) => {
    const cfg = (channels as Record<string, { accounts?: Record<string, unknown> } | undefined>)[channel];
    return ["default", ...Object.keys(cfg?.accounts ?? {}).filter((a) => a !== "default")];
  };
  let machine: ReturnType<typeof loadMachine> | undefined;
  w.methods.register(
    ...pairingMethods({ access: w.access, channels: configured, accounts }),
    ...operatorMethods({
      env: ctx.env,
      paths: ctx.paths,
      logFile: ctx.config.logging?.file,
      checks: AUDIT_CHECKS,
      machine: () => (machine ??= loadMachine()),
      redact: (text) => ctx.redactor.redact(text),
    }),
  );
}

async function loadMachine() {
  return (await import("../sandbox/index.js")).jailFacts();
}
