import type { SandboxLimits, SandboxSpec, ReadOnlyMount, SessionCgroup } from "./types.js";

/**
 * The host jail: where an unsandboxed ("host") session's tool calls run. It is the bubblewrap
 * sandbox with the `host` profile: own pid and ipc namespaces with a fresh /proc (the gateway's
 * `/proc/<pid>/root` and `/proc/<pid>/environ` do not exist in it), the workspace read-write at its
 * own host path (so paths read the same inside and out), the system directories read-only, a
 * private /tmp, /var/tmp and /run, the host's network unless `network: "none"`, no capabilities,
 * no new privileges, a cleared environment (the caller passes the scrubbed one). Nothing else of
 * the host is mounted: the state dir (config, credentials, transcripts), the log dir, home
 * directories and every secret file stay outside. Source: issue "Containment": "Every tool call runs
 * inside a jail, main session included".
 */
export interface HostJailOptions {
  /** `session:<key>`. */
  readonly scopeKey: string;
  /** The agent workspace (host path), mounted read-write at the same path. */
  readonly workspaceDir: string;
  /** The user commands run as (the gateway's own user: host exec keeps its identity). */
  readonly user: { readonly uid: number; readonly gid: number };
  readonly network: "host" | "none";
  readonly limits: SandboxLimits;
  /** Inbound media (`/inbox`), the file helper (`/run/holdfast/...`). */
  readonly readOnlyMounts?: readonly ReadOnlyMount[];
  readonly cgroup?: SessionCgroup;
}

/** The PATH of commands in a jail: only directories that exist there. */
export const JAIL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The sandbox spec of a host jail. */
export function hostJailSpec(o: HostJailOptions): SandboxSpec {
  return {
    scopeKey: o.scopeKey,
    workspaceDir: o.workspaceDir,
    workspaceAt: o.workspaceDir,
    network: o.network,
    limits: o.limits,
    user: o.user,
    profile: "host",
    ...(o.readOnlyMounts ? { readOnlyMounts: o.readOnlyMounts } : {}),
    ...(o.cgroup ? { cgroup: o.cgroup } : {}),
  };
}
