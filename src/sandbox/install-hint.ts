import { readFileSync } from "node:fs";

/**
 * What to install for a jail runtime, in words a user can act on: the package manager command for
 * this Linux distribution (from /etc/os-release), or on macOS (where bubblewrap does not exist) the
 * two ways that work there. Source: issue "A fresh machine".
 */
export function bubblewrapInstallHint(platform: NodeJS.Platform = process.platform, osRelease?: string): string {
  if (platform === "darwin")
    return 'bubblewrap does not exist on macOS: run the tools in Docker (agents.defaults.sandbox: { mode: "all", backend: "docker" }) or run holdfast in a Linux VM';
  if (platform !== "linux")
    return `bubblewrap needs Linux (this is ${platform}): run holdfast in a Linux VM, or run the tools in Docker (agents.defaults.sandbox: { mode: "all", backend: "docker" })`;
  const release = osRelease ?? readOsRelease();
  const ids = `${/^ID=(.*)$/m.exec(release)?.[1] ?? ""} ${/^ID_LIKE=(.*)$/m.exec(release)?.[1] ?? ""}`.replace(
    /"/g,
    "",
  );
  const cmd = (pm: string) => `install bubblewrap: sudo ${pm} bubblewrap`;
  if (/\b(debian|ubuntu)\b/.test(ids)) return cmd("apt-get install");
  if (/\b(fedora|rhel|centos)\b/.test(ids)) return cmd("dnf install");
  if (/\b(arch)\b/.test(ids)) return cmd("pacman -S");
  if (/\b(alpine)\b/.test(ids)) return cmd("apk add");
  if (/\b(suse|opensuse)\b/.test(ids)) return cmd("zypper install");
  return "install bubblewrap: sudo apt-get install bubblewrap (Debian/Ubuntu) or sudo dnf install bubblewrap (Fedora/RHEL)";
}

function readOsRelease(): string {
  for (const p of ["/etc/os-release", "/usr/lib/os-release"]) {
    try {
      return readFileSync(p, "utf8");
    } catch {
      // next
    }
  }
  return "";
}

/** The hint when bubblewrap exists but cannot create namespaces (user namespaces disabled or restricted). */
export const USERNS_HINT =
  "unprivileged user namespaces are disabled here: enable them (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run the gateway as root";

/** The message of a host jail that cannot run: why, what to install, and the audited way out. */
export function hostJailUnavailable(reason: string): string {
  const named = /install bubblewrap|macOS|Linux VM/.test(reason);
  const hint = named ? "" : ` (${bubblewrapInstallHint()})`;
  return `the host jail (bubblewrap) this session's tools run in is unavailable: ${reason}${hint}; tools that touch files or run commands are refused until it works, or set tools.exec.hostJail: "off" to run them on the host (reported by security audit)`;
}
