import path from "node:path";
import type { Logger } from "../logging/index.js";
import { StorageHealth } from "./health.js";
import { InboundQueue } from "./inbound-queue.js";
import { migrateLegacyState, type LegacyMigrationReport } from "./migrate-legacy.js";
import { Outbox } from "./outbox.js";
import { reconcileIndex } from "./rebuild-index.js";
import { RunLedger } from "./run-ledger.js";
import { SessionIndex, type SessionIndexEntry } from "./session-index.js";
import { StateDb } from "./state-db.js";

/** Every (channel, account) with a row in a channel queue. */
function channelAccounts(db: StateDb): { channel: string; account_id: string }[] {
  return db.run("reading the channel queues", (d) =>
    d
      .prepare("SELECT channel, account_id FROM channel_outbox UNION SELECT channel, account_id FROM channel_inbound")
      .all(),
  ) as { channel: string; account_id: string }[];
}

/** Path of the state database inside a state dir: `<stateDir>/state/holdfast.sqlite`. */
export function stateDbPath(stateDir: string): string {
  return path.join(stateDir, "state", "holdfast.sqlite");
}

/** Options of {@link openStateStore}. */
export interface StateStoreOptions {
  /** holdfast state dir (`~/.holdfast`). */
  readonly stateDir: string;
  /** `<stateDir>/agents`, where transcripts live. */
  readonly agentsDir: string;
  readonly log: Logger;
  /** Shared health tracker; a new one is made when absent. */
  readonly health?: StorageHealth;
  readonly now?: () => number;
  /** Skip importing legacy files and re-indexing orphaned transcripts (read-only CLI use). */
  readonly skipRecovery?: boolean;
}

/** The queues of one channel account. */
export interface ChannelQueues {
  readonly inbound: InboundQueue;
  readonly outbox: Outbox;
}

/** Rows deleted by {@link StateStore.pruneExpired}. */
export interface ExpiredRows {
  readonly runs: number;
  readonly outboxChunks: number;
  readonly inboundUpdates: number;
}

/** What opening found and repaired. */
export interface StateStoreRecovery {
  /** A corrupt database was moved aside and a new one created. */
  readonly recreated: boolean;
  readonly migrated: LegacyMigrationReport;
  /** Transcripts (re-)indexed because the index had no entry for them. */
  readonly reindexed: readonly SessionIndexEntry[];
}

/**
 * The embedded store of holdfast: one SQLite database for the session index, the run (idempotency)
 * ledger and every channel account's queues. Transcripts stay JSONL files next to it (see
 * `src/sessions`). Open once per process; CLI commands may open it while the gateway runs.
 */
export interface StateStore {
  readonly db: StateDb;
  readonly health: StorageHealth;
  readonly sessions: SessionIndex;
  readonly runs: RunLedger;
  readonly recovery: StateStoreRecovery;
  /** The inbound queue and outbox of one channel account (e.g. `("telegram", "default")`). */
  channel(channel: string, accountId: string): ChannelQueues;
  /**
   * Deletes the rows kept only for a while: finished runs (`LEDGER_RETENTION_MS`, 7 days), sent or
   * failed outbox chunks and planned replies (`OUTBOX_RETENTION_MS`, 7 days) and handled inbound
   * updates (`INBOUND_RETENTION_MS`, 7 days) of every channel account in the database. Returns how
   * many of each were deleted.
   * @throws HoldfastError HF_STATE_* on storage failures
   */
  pruneExpired(): ExpiredRows;
  /** Checkpoints and closes the database. Idempotent. */
  close(): void;
}

/**
 * Opens the state database (validating it, moving a corrupt one aside), imports legacy JSON files
 * once, and re-indexes transcripts the index does not know (after a corrupt or deleted index, or a
 * crash right after a session was created).
 * @throws HoldfastError HF_STATE_* when the database cannot be created or written (start-up fails)
 */
export async function openStateStore(opts: StateStoreOptions): Promise<StateStore> {
  const health = opts.health ?? new StorageHealth(opts.log, opts.now);
  const db = StateDb.open({
    file: stateDbPath(opts.stateDir),
    log: opts.log,
    health,
    ...(opts.now ? { now: opts.now } : {}),
  });
  try {
    const sessions = new SessionIndex(db);
    let migrated: LegacyMigrationReport = { sessions: 0, telegramAccounts: 0, corrupt: 0 };
    let reindexed: SessionIndexEntry[] = [];
    if (!opts.skipRecovery) {
      migrated = await migrateLegacyState({
        db,
        agentsDir: opts.agentsDir,
        telegramDir: path.join(opts.stateDir, "telegram"),
        log: opts.log,
      });
      reindexed = await reconcileIndex({ index: sessions, agentsDir: opts.agentsDir, log: opts.log });
    }
    const queues = new Map<string, ChannelQueues>();
    const channel = (name: string, accountId: string): ChannelQueues => {
      const k = `${name}\u0000${accountId}`;
      let q = queues.get(k);
      if (!q) {
        q = { inbound: new InboundQueue(db, name, accountId), outbox: new Outbox(db, name, accountId) };
        queues.set(k, q);
      }
      return q;
    };
    const runs = new RunLedger(db);
    return {
      db,
      health,
      sessions,
      runs,
      recovery: { recreated: db.recreated, migrated, reindexed },
      channel,
      pruneExpired() {
        let outboxChunks = 0;
        let inboundUpdates = 0;
        for (const { channel: name, account_id } of channelAccounts(db)) {
          const q = channel(name, account_id);
          outboxChunks += q.outbox.prune();
          inboundUpdates += q.inbound.prune();
        }
        return { runs: runs.prune(), outboxChunks, inboundUpdates };
      },
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
