import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { silentLogger } from "../../src/logging/index.js";
import { systemClock, type Clock } from "../../src/infra/index.js";
import { SessionStore, type SessionStoreOptions } from "../../src/sessions/index.js";
import {
  InboundQueue,
  openStateStore,
  Outbox,
  RunLedger,
  StateDb,
  stateDbPath,
  StorageHealth,
  type StateStore,
} from "../../src/store/index.js";

/** A fresh state dir under the OS temp dir, with its `agents` dir path. */
export function tempStateDir(prefix = "hf-state-"): { stateDir: string; agentsDir: string } {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { stateDir, agentsDir: path.join(stateDir, "agents") };
}

/** Opens the state store of `stateDir` with a silent logger (or the given one) and a controllable clock. */
export async function openTempStore(
  dirs: { stateDir: string; agentsDir: string },
  opts: { now?: () => number; log?: Parameters<typeof openStateStore>[0]["log"] } = {},
): Promise<StateStore> {
  const log = opts.log ?? silentLogger();
  return openStateStore({
    ...dirs,
    log,
    health: new StorageHealth(log, opts.now),
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/**
 * A SessionStore on a fresh state store (for tests of stages that keep transcripts).
 * `close()` closes both.
 */
export async function tempSessionStore(
  opts: {
    agentsDir?: string;
    clock?: Clock;
    redact?: (s: string) => string;
    withholdReply?: (s: string) => string;
    cache?: SessionStoreOptions["cache"];
  } = {},
): Promise<{ store: SessionStore; state: StateStore; agentsDir: string; close: () => Promise<void> }> {
  const dirs = tempStateDir("hf-sess-");
  const agentsDir = opts.agentsDir ?? dirs.agentsDir;
  const state = await openTempStore({ stateDir: dirs.stateDir, agentsDir });
  const store = new SessionStore({
    agentsDir,
    clock: opts.clock ?? systemClock,
    state,
    ...(opts.redact ? { redact: opts.redact } : {}),
    ...(opts.withholdReply ? { withholdReply: opts.withholdReply } : {}),
    ...(opts.cache ? { cache: opts.cache } : {}),
  });
  return {
    store,
    state,
    agentsDir,
    close: async () => {
      await store.close();
      state.close();
    },
  };
}

const openDbs = new Map<string, StateDb>();

/**
 * The channel queues of `stateDir`'s state database, opened synchronously (and cached per dir, like a
 * gateway process holds it): `queues(accountId)` for a Telegram adapter, `state` for a channel service.
 */
export function channelState(stateDir: string, channel = "telegram") {
  let db = openDbs.get(stateDir);
  if (!db) {
    const log = silentLogger();
    db = StateDb.open({ file: stateDbPath(stateDir), log, health: new StorageHealth(log) });
    openDbs.set(stateDir, db);
  }
  const d = db;
  const queues = (ch: string, accountId: string) => ({
    inbound: new InboundQueue(d, ch, accountId),
    outbox: new Outbox(d, ch, accountId),
  });
  return {
    db: d,
    queues: (accountId: string) => queues(channel, accountId),
    state: { channel: queues, runs: new RunLedger(d) },
  };
}
