import type { AccessStage } from "../access/index.js";
import type { ChannelService } from "../channels/index.js";
import { POLICY_CHANNEL_IDS, type AgentRoster } from "../config/index.js";
import type { GatewayHub } from "../gateway/index.js";
import type { AppContext } from "./context.js";
import { operatorMethods } from "./control-ui/operator-methods.js";
import { pairingMethods } from "./control-ui/pairing-methods.js";

/**
 * The methods the Control UI's operator views read that no stage offered on the socket: DM pairing
 * (`pairing.*`, over the access stage's stores), `security.audit` and `logs.tail`; and the status facts its
 * Security view shows: `channelAccounts` (each account's state) and `agentModels` (each agent's configured
 * model refs, primary first). Kept apart so they can join the reference-client methods (`sessions.*`,
 * `agents.list`, ...) and their status facts in one registry.
 */
export function wireControlUi(
  ctx: AppContext,
  w: {
    readonly access: AccessStage;
    readonly hub: Pick<GatewayHub, "methods" | "status">;
    readonly channels: Pick<ChannelService, "status">;
    readonly roster: AgentRoster;
  },
): void {
  const channels = ctx.config.channels ?? {};
  const configured = () => POLICY_CHANNEL_IDS.filter((c) => channels[c] !== undefined);
  const accounts = (channel: string) => {
    const cfg = (channels as Record<string, { accounts?: Record<string, unknown> } | undefined>)[channel];
    return ["default", ...Object.keys(cfg?.accounts ?? {}).filter((a) => a !== "default")];
  };
  let machine: ReturnType<typeof loadMachine> | undefined;
  w.hub.status.add("channelAccounts", () => w.channels.status());
  w.hub.status.add("agentModels", () =>
    Object.fromEntries(
      w.roster.ids().map((id) => [id, modelRefs(w.roster.entry(id)?.model ?? ctx.config.agents?.defaults?.model)]),
    ),
  );
  w.hub.methods.register(
    ...pairingMethods({ access: w.access, channels: configured, accounts }),
    ...operatorMethods({
      env: ctx.env,
      paths: ctx.paths,
      logFile: ctx.config.logging?.file,
      checks: async () => (await import("./audit-checks/index.js")).AUDIT_CHECKS, // loaded by the first audit, not at start
      machine: () => (machine ??= loadMachine()),
      redact: (text) => ctx.redactor.redact(text),
    }),
  );
}

async function loadMachine() {
  return (await import("../sandbox/index.js")).jailFacts();
}

/** `"p/m"` or `{primary, fallbacks}` as a list of refs, primary first. */
function modelRefs(sel: string | { primary?: string; fallbacks?: string[] } | undefined): string[] {
  if (!sel) return [];
  if (typeof sel === "string") return [sel];
  return [...(sel.primary ? [sel.primary] : []), ...(sel.fallbacks ?? [])];
}
