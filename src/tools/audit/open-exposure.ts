import {
  agentsOf,
  anyAgentReaches,
  execSecurity,
  finding,
  openPolicies,
  sandboxMode,
  type AuditCheck,
  type AuditContext,
  type Finding,
} from "../../audit/index.js";

const RUNTIME = ["exec", "process"];
const FS_WRITE = ["write", "edit", "apply_patch"];

/** True when a stranger's session can run on the host: sandbox off, or open DMs landing in the (unsandboxed) main session. */
function unsandboxedForStrangers(ctx: AuditContext): boolean {
  const openDm = openPolicies(ctx.config).some((p) => p.endsWith(".dmPolicy"));
  const dmMain = (ctx.config.session?.dmScope ?? "per-channel-peer") === "main";
  return agentsOf(ctx.config).some(
    (a) => sandboxMode(ctx.config, a) === "off" || (sandboxMode(ctx.config, a) === "non-main" && openDm && dmMain),
  );
}

/**
 * What open channels can reach (reference §9.4 "Exposure / trust model"):
 * - `security.exposure.open_channels_with_exec`: open policy and exec not denied (critical when
 *   exec security is "full", else warn);
 * - `security.exposure.open_groups_with_runtime_or_fs`: critical when exec/process run on the host
 *   for strangers' sessions; warn when only file-writing tools are reachable without workspaceOnly;
 * - `security.exposure.open_groups_with_elevated`: critical when elevated exec is enabled.
 */
export const openExposureCheck: AuditCheck = {
  id: "security.exposure",
  area: "tools",
  run(ctx) {
    const open = openPolicies(ctx.config);
    if (open.length === 0) return [];
    const out: Finding[] = [];
    const where = open.join(", ");
    const sec = execSecurity(ctx.config);
    if (sec !== "deny" && anyAgentReaches(ctx.config, ["exec"])) {
      out.push(
        finding({
          checkId: "security.exposure.open_channels_with_exec",
          severity: sec === "full" ? "critical" : "warn",
          title: "Open channels can reach exec",
          detail: `${where} is open and exec security is "${sec}".`,
          remediation: 'Close the open policy (pairing/allowlist) or deny exec: tools.deny: ["group:runtime"].',
        }),
      );
    }
    if (anyAgentReaches(ctx.config, RUNTIME) && unsandboxedForStrangers(ctx)) {
      out.push(
        finding({
          checkId: "security.exposure.open_groups_with_runtime_or_fs",
          severity: "critical",
          title: "Strangers' messages can run commands on the host",
          detail: `${where} is open and sessions they reach run exec/process without the sandbox.`,
          remediation:
            'Keep agents.defaults.sandbox.mode "non-main" (or "all"), keep session.dmScope per peer, and close the open policy.',
        }),
      );
    } else if (anyAgentReaches(ctx.config, FS_WRITE) && ctx.config.tools?.fs?.workspaceOnly === false) {
      out.push(
        finding({
          checkId: "security.exposure.open_groups_with_runtime_or_fs",
          severity: "warn",
          title: "Open channels can write files outside the workspace",
          detail: `${where} is open and tools.fs.workspaceOnly is false.`,
          remediation: "Set tools.fs.workspaceOnly: true or deny group:fs for these sessions.",
        }),
      );
    }
    const el = ctx.config.tools?.elevated;
    if (
      el?.enabled !== false &&
      el?.allowFrom &&
      !Array.isArray(el.allowFrom) &&
      Object.keys(el.allowFrom).length > 0
    ) {
      out.push(
        finding({
          checkId: "security.exposure.open_groups_with_elevated",
          severity: "critical",
          title: "Open channels next to elevated exec",
          detail: `${where} is open while tools.elevated is enabled; one misconfigured allowFrom entry gives strangers the host.`,
          remediation: "Set tools.elevated.enabled: false or close the open policy.",
        }),
      );
    }
    return out;
  },
};
