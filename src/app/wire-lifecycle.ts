import path from "node:path";
import { PairingStore } from "../access/index.js";
import { agentRoster, POLICY_CHANNEL_IDS, type AgentRoster } from "../config/index.js";
import type { MethodRegistrar } from "../gateway/index.js";
import { createLifecycleStage, retentionPolicy, type LifecycleStage } from "../lifecycle/index.js";
import { defaultLogDir, findLogFiles } from "../logging/index.js";
import type { InboundMedia, SandboxManager } from "../sandbox/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { StateStore } from "../store/index.js";
import type { AppContext } from "./context.js";

/**
 * The data lifecycle: retention sweeps over the sessions, inbound media and the state database's
 * expired rows (at start, every 10 minutes, and `sessions.cleanup`), session export and purge, per-person export and erasure (`privacy.forget`),
 * and `/export-session`. Running turns of a session are aborted before the session is removed. CLI
 * commands that run without a gateway build the same stage without `methods` and with no runs to abort.
 */
export function wireLifecycle(
  ctx: AppContext,
  w: {
    readonly roster?: AgentRoster;
    readonly sessions: SessionStore;
    readonly state: StateStore;
    readonly media: InboundMedia;
    readonly abortSession?: (key: string) => void;
    readonly methods?: MethodRegistrar;
    /** The sandbox workspaces of sessions that ended are removed after an erasure. */
    readonly sandboxes?: Pick<SandboxManager, "prune">;
  },
): LifecycleStage {
  const channels = new Map<string, PairingStore>();
  return createLifecycleStage({
    policy: retentionPolicy(ctx.config, w.roster ?? agentRoster(ctx.config, ctx.paths)),
    sessions: w.sessions,
    media: w.media,
    db: w.state.db,
    pruneRows: () => w.state.pruneExpired(),
    stateDir: ctx.paths.stateDir,
    exportsDir: path.join(ctx.paths.stateDir, "exports"),
    pairing: (channel) => {
      if (!(POLICY_CHANNEL_IDS as readonly string[]).includes(channel)) return undefined;
      let s = channels.get(channel);
      if (!s) channels.set(channel, (s = new PairingStore(ctx.paths.credentialsDir, channel, ctx.clock)));
      return s;
    },
    logFiles: () => findLogFiles(ctx.config.logging?.file, defaultLogDir(ctx.paths.stateDir)),
    extraFiles: [ctx.paths.configPath],
    ...(w.sandboxes ? { afterErase: () => (w.sandboxes as Pick<SandboxManager, "prune">).prune() } : {}),
    ...(ctx.config.session?.identityLinks ? { identityLinks: ctx.config.session.identityLinks } : {}),
    abortSession: w.abortSession ?? (() => undefined),
    clock: ctx.clock,
    trail: ctx.trail,
    log: ctx.log.child({ stage: "lifecycle" }),
    ...(w.methods ? { methods: w.methods } : {}),
  });
}
