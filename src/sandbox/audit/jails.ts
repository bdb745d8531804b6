import { anyAgentReaches, finding, type AuditCheck } from "../../audit/index.js";
import { unenforceableLimits } from "../limits-check.js";

const JAIL_TOOLS = ["exec", "process", "write", "edit", "apply_patch", "read"];

/**
 * `tools.exec.hostJail: "off"`: the tools of unsandboxed sessions (the main session) run on the bare
 * host as the gateway's user, with its files, `/proc` and secrets within reach.
 * `tools.exec.host_jail_off` * critical while file or command tools are reachable, else warn.
 * Source: issue "Containment": "an explicit, audited `tools.exec.hostJail: "off"`".
 */
export const hostJailOffCheck: AuditCheck = {
  id: "tools.exec.host_jail_off",
  area: "tools",
  run(ctx) {
    if (ctx.config.tools?.exec?.hostJail !== "off") return [];
    const reached = JAIL_TOOLS.filter((t) => anyAgentReaches(ctx.config, [t]));
    return [
      finding({
        checkId: "tools.exec.host_jail_off",
        severity: reached.length > 0 ? "critical" : "warn",
        title: "Tools of unsandboxed sessions run on the bare host",
        detail: `tools.exec.hostJail is "off": ${reached.length ? reached.join(", ") : "file and command tools"} of the main session (and every session with sandbox mode off) run as the gateway's user with its state dir, credentials, /proc and environment within reach.`,
        remediation:
          'Remove tools.exec.hostJail (default "on"; it needs bubblewrap: sudo apt-get install bubblewrap or sudo dnf install bubblewrap).',
      }),
    ];
  },
};

/**
 * The host jail is on but cannot run here (bubblewrap missing or without namespaces): the tools of
 * unsandboxed sessions that touch files or run commands are refused. `sandbox.host_jail_unavailable`
 * * warn, with what to install. Needs the machine probe (`security audit`, `doctor`).
 */
export const hostJailUnavailableCheck: AuditCheck = {
  id: "sandbox.host_jail_unavailable",
  area: "tools",
  run(ctx) {
    const m = ctx.machine;
    if (!m || m.hostJail.ok || ctx.config.tools?.exec?.hostJail === "off") return [];
    return [
      finding({
        checkId: "sandbox.host_jail_unavailable",
        severity: "warn",
        title: "No jail runtime: file and command tools are refused",
        detail: m.hostJail.reason,
        remediation:
          "Install bubblewrap (sudo apt-get install bubblewrap on Debian/Ubuntu, sudo dnf install bubblewrap on Fedora/RHEL; on macOS use the Docker sandbox backend or a Linux VM).",
      }),
    ];
  },
};

/**
 * Session-wide limits (`sandbox.limits.memoryMb`, `pids`, `cpus`) need per-session cgroups. Without
 * them a configured limit makes the gateway refuse to start (critical, one finding per key) and the
 * default limits hold per process only (warn). `sandbox.limits_not_enforceable` *. Needs the probe.
 */
export const limitsEnforceableCheck: AuditCheck = {
  id: "sandbox.limits_not_enforceable",
  area: "tools",
  run(ctx) {
    const m = ctx.machine;
    if (!m) return [];
    const cg = m.sessionCgroups;
    const probe = cg.ok ? { ok: true as const, kind: "v2" as const, controllers: new Set(cg.controllers) } : cg;
    const refused = unenforceableLimits(ctx.config, probe, m.defaultBackend);
    if (refused.length > 0)
      return refused.map((line) =>
        finding({
          checkId: "sandbox.limits_not_enforceable",
          severity: "critical",
          title: "A configured session limit cannot be enforced: the gateway refuses to start",
          detail: line,
          remediation:
            "Run the gateway as root or in a delegated cgroup (systemd-run --user --scope -p Delegate=yes npx holdfast gateway), or remove the key.",
        }),
      );
    const missing = cg.ok ? (["memory", "pids", "cpu"] as const).filter((c) => !cg.controllers.includes(c)) : [];
    if (cg.ok && missing.length === 0) return [];
    return [
      finding({
        checkId: "sandbox.limits_not_enforceable",
        severity: "warn",
        title: "Session limits hold per process only",
        detail: cg.ok
          ? `the cgroup ${missing.join(", ")} controller(s) are not available: those session limits fall back to per-process limits.`
          : `no per-session cgroup can be made here (${cg.reason}): memory and process limits hold per process, so several processes of one session together can exceed them.`,
        remediation:
          "Run the gateway as root or in a delegated cgroup (systemd-run --user --scope -p Delegate=yes npx holdfast gateway).",
      }),
    ];
  },
};
