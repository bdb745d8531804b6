import path from "node:path";
import type { SandboxConfig } from "../../config/index.js";
import { finding, type AuditCheck, type Finding } from "../../audit/index.js";

const BLOCKED_SOURCES = [
  "/etc",
  "/proc",
  "/sys",
  "/dev",
  "/root",
  "/boot",
  "/run",
  "/var/run",
  "/var/run/docker.sock",
  "/run/docker.sock",
];
const HOME_SECRETS = [".aws", ".cargo", ".config", ".docker", ".gnupg", ".netrc", ".npm", ".ssh"];

function dangerousSource(src: string): boolean {
  const p = path.posix.normalize(src);
  if (p === "/" || BLOCKED_SOURCES.some((b) => p === b || p.startsWith(`${b}/`))) return true;
  return HOME_SECRETS.some((h) => p.split("/").includes(h));
}

function inspect(at: string, sb: SandboxConfig | undefined): Finding[] {
  const out: Finding[] = [];
  const d = sb?.docker;
  const network = d?.network ?? sb?.network;
  if (network === "host" || network?.startsWith("container:")) {
    out.push(
      finding({
        checkId: "sandbox.dangerous_network_mode",
        severity: "critical",
        title: `Sandbox shares a network namespace (${network})`,
        detail: `${at} network "${network}" gives sandboxed commands the host's (or another container's) network.`,
        remediation: `Use network "none" for ${at}.`,
      }),
    );
  }
  if (d?.seccompProfile === "unconfined")
    out.push(
      finding({
        checkId: "sandbox.dangerous_seccomp_profile",
        severity: "critical",
        title: "Sandbox runs without seccomp",
        detail: `${at}.docker.seccompProfile is "unconfined".`,
        remediation: "Remove seccompProfile (the runtime default applies).",
      }),
    );
  if (d?.apparmorProfile === "unconfined")
    out.push(
      finding({
        checkId: "sandbox.dangerous_apparmor_profile",
        severity: "critical",
        title: "Sandbox runs without AppArmor",
        detail: `${at}.docker.apparmorProfile is "unconfined".`,
        remediation: "Remove apparmorProfile (the runtime default applies).",
      }),
    );
  for (const bind of d?.binds ?? []) {
    const src = bind.split(":")[0] ?? "";
    if (!path.posix.isAbsolute(src))
      out.push(
        finding({
          checkId: "sandbox.bind_mount_non_absolute",
          severity: "warn",
          title: "Sandbox bind mount with a relative source",
          detail: `${at}.docker.binds has "${bind}".`,
          remediation: "Use absolute host paths in binds.",
        }),
      );
    else if (dangerousSource(src))
      out.push(
        finding({
          checkId: "sandbox.dangerous_bind_mount",
          severity: "critical",
          title: `Sandbox mounts ${src}`,
          detail: `${at}.docker.binds mounts a system or credential path into the sandbox.`,
          remediation: `Remove "${bind}" from ${at}.docker.binds.`,
        }),
      );
  }
  if (sb?.mode === "off" && d && Object.keys(d).length > 0) {
    out.push(
      finding({
        checkId: "sandbox.docker_config_mode_off",
        severity: "warn",
        title: "Docker sandbox settings while the sandbox is off",
        detail: `${at}.docker is set but ${at}.mode is "off", so none of it applies.`,
        remediation: `Set ${at}.mode to "non-main" or remove the docker block.`,
      }),
    );
  }
  return out;
}

/**
 * Dangerous sandbox settings (reference §7.5, §9.4 "Sandbox"): host/container network, unconfined
 * seccomp/AppArmor, system or credential bind mounts, relative bind sources, docker settings while off.
 */
export const sandboxDockerCheck: AuditCheck = {
  id: "sandbox.docker",
  area: "tools",
  run(ctx) {
    const out = inspect("agents.defaults.sandbox", ctx.config.agents?.defaults?.sandbox);
    (ctx.config.agents?.list ?? []).forEach((a, i) => out.push(...inspect(`agents.list.${i}.sandbox`, a.sandbox)));
    return out;
  },
};
