import { BubblewrapBackend, findSystemBinary } from "./bubblewrap.js";
import { probeSessionCgroups } from "./cgroups.js";
import { hostJailUnavailable } from "./install-hint.js";

/** What this machine offers the jails (the audit's `MachineFacts`). */
export interface JailFacts {
  readonly hostJail: { readonly ok: true } | { readonly ok: false; readonly reason: string };
  readonly defaultBackend: "bubblewrap" | "docker";
  readonly sessionCgroups:
    | { readonly ok: true; readonly controllers: readonly ("memory" | "pids" | "cpu")[] }
    | { readonly ok: false; readonly reason: string };
}

/**
 * Probes what this machine offers the jails, for `security audit` and `doctor`: whether bubblewrap
 * can make a host jail (one `/bin/true` in a jail), which backend sandboxes default to, and whether
 * per-session cgroups can be made (nothing is created).
 */
export async function jailFacts(): Promise<JailFacts> {
  const [host, bwrap, cgroups] = await Promise.all([
    new BubblewrapBackend().availability(),
    findSystemBinary("bwrap"),
    probeSessionCgroups(),
  ]);
  return {
    hostJail: host.ok ? { ok: true } : { ok: false, reason: hostJailUnavailable(host.reason) },
    defaultBackend: bwrap ? "bubblewrap" : "docker",
    sessionCgroups: cgroups.ok ? { ok: true, controllers: [...cgroups.controllers] } : cgroups,
  };
}
