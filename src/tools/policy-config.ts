import type { HoldfastConfig, ToolPolicyConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { expandEntries } from "./catalog.js";

type Lists =
  | { readonly allow?: readonly string[]; readonly alsoAllow?: readonly string[]; readonly deny?: readonly string[] }
  | undefined;

/**
 * Lists every unknown tool name in the config's tool policies, one line per entry naming its key path:
 * `tools.deny.1: unknown tool "brwoser"`. Checked: `tools.*`, `tools.byProvider.*`,
 * `tools.toolsBySender.*`, `tools.sandbox.tools`, `agents.list[].tools` (+ byProvider, sandbox),
 * `agents.defaults.sandbox.allowTools|denyTools` and `agents.list[].sandbox.allowTools|denyTools`,
 * `channels.<ch>[.accounts.<id>].groups.<id>.tools|toolsBySender`.
 */
export function unknownToolEntries(config: HoldfastConfig): string[] {
  const out: string[] = [];
  const check = (at: string, p: Lists) => {
    for (const key of ["allow", "alsoAllow", "deny"] as const) {
      const list = p?.[key];
      if (!list) continue;
      list.forEach((entry, i) => {
        if (expandEntries([entry]).unknown.length > 0) out.push(`${at}.${key}.${i}: unknown tool "${entry}"`);
      });
    }
  };
  const each = (at: string, rec: Readonly<Record<string, ToolPolicyConfig>> | undefined) => {
    for (const [k, p] of Object.entries(rec ?? {})) check(`${at}.${k}`, p);
  };
  const t = config.tools;
  check("tools", t);
  each("tools.byProvider", t?.byProvider);
  each("tools.toolsBySender", t?.toolsBySender);
  check("tools.sandbox.tools", t?.sandbox?.tools);
  const legacy = (
    at: string,
    sb: { allowTools?: string[] | undefined; denyTools?: string[] | undefined } | undefined,
  ) => {
    for (const key of ["allowTools", "denyTools"] as const)
      sb?.[key]?.forEach((entry, i) => {
        if (expandEntries([entry]).unknown.length > 0) out.push(`${at}.${key}.${i}: unknown tool "${entry}"`);
      });
  };
  legacy("agents.defaults.sandbox", config.agents?.defaults?.sandbox);
  (config.agents?.list ?? []).forEach((a, i) => {
    legacy(`agents.list.${i}.sandbox`, a.sandbox);
    const at = `agents.list.${i}.tools`;
    check(at, a.tools);
    each(`${at}.byProvider`, a.tools?.byProvider);
    check(`${at}.sandbox.tools`, a.tools?.sandbox?.tools);
  });
  for (const [ch, block] of Object.entries(config.channels ?? {})) {
    if (!block || typeof block !== "object") continue;
    const holder = block as GroupHolder;
    checkGroups(`channels.${ch}`, holder, check, each);
    for (const [acct, a] of Object.entries(holder.accounts ?? {}))
      checkGroups(`channels.${ch}.accounts.${acct}`, a, check, each);
  }
  return out;
}

interface GroupHolder {
  readonly groups?: Readonly<
    Record<
      string,
      { readonly tools?: ToolPolicyConfig; readonly toolsBySender?: Readonly<Record<string, ToolPolicyConfig>> }
    >
  >;
  readonly accounts?: Readonly<Record<string, GroupHolder>>;
}

function checkGroups(
  at: string,
  holder: GroupHolder,
  check: (at: string, p: Lists) => void,
  each: (at: string, r: Readonly<Record<string, ToolPolicyConfig>> | undefined) => void,
): void {
  for (const [id, g] of Object.entries(holder.groups ?? {})) {
    check(`${at}.groups.${id}.tools`, g.tools);
    each(`${at}.groups.${id}.toolsBySender`, g.toolsBySender);
  }
}

/**
 * Throws when a tool policy names an unknown tool.
 * @throws HoldfastError HF_CONFIG_INVALID listing each bad key path (exit code 78).
 */
export function assertToolPolicyConfig(config: HoldfastConfig, source = "config"): void {
  const issues = unknownToolEntries(config);
  if (issues.length === 0) return;
  throw new HoldfastError(
    "HF_CONFIG_INVALID",
    `Invalid config (${source}):\n${issues.map((l) => `  - ${l}`).join("\n")}`,
    { issues, source },
  );
}
