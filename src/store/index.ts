/**
 * The store stage: holdfast's embedded, crash-safe state. One SQLite database (WAL, fsynced commits)
 * holds the session index, the run (idempotency) ledger and the channel queues; transcripts stay
 * JSONL and are repaired on open. Storage failures become catalogued HF_STATE_* errors and health
 * conditions, never crashes; corrupt files are moved aside and reported for `holdfast doctor`.
 */
export {
  openStateStore,
  stateDbPath,
  type StateStore,
  type StateStoreOptions,
  type ChannelQueues,
  type ExpiredRows,
} from "./state-store.js";
export { StateDb, STATE_DB_STORE, type StateDbOptions } from "./state-db.js";
export { StorageHealth, type StorageCondition, type CorruptionReport } from "./health.js";
export {
  classifyStorageError,
  storageError,
  storageHint,
  isStorageFault,
  type StorageCause,
  type StorageFault,
} from "./storage-error.js";
export { SessionIndex, type SessionIndexEntry } from "./session-index.js";
export {
  RunLedger,
  LEDGER_RETENTION_MS,
  type LedgerRun,
  type LedgerStatus,
  type RunOutcome,
  type AdmitInput,
} from "./run-ledger.js";
export { InboundQueue, INBOUND_MAX_ATTEMPTS, type InboundItem, type InboundStats } from "./inbound-queue.js";
export { Outbox, type OutboxChunk, type OutboxStats, type ReplyTarget, type ReplyReservation } from "./outbox.js";
export { repairTornTail, parseJsonl, type TailRepair, type JsonlParse } from "./jsonl.js";
export {
  moveAside,
  moveAsideSync,
  corruptName,
  findQuarantined,
  CORRUPT_MARKER,
  type QuarantinedFile,
} from "./quarantine.js";
export { reconcileIndex, listTranscripts, summarizeTranscript, type TranscriptSummary } from "./rebuild-index.js";
export { migrateLegacyState, MIGRATED_SUFFIX, type LegacyMigrationReport } from "./migrate-legacy.js";
export { inspectStorage, type StorageFinding } from "./inspect.js";
export { assertWritable, type WritableProbeOptions } from "./probe.js";
export { eraseRows, compact, type EraseMatch, type EraseCounts } from "./erase.js";
export { snapshotStateDb } from "./snapshot.js";
export { recodeSealedColumns, SEALED_COLUMNS } from "./sealed-columns.js";
export { acquireInstanceLock, INSTANCE_LOCK_FILE, type InstanceLock } from "./instance-lock.js";
