/**
 * The data lifecycle stage: retention (transcript pruning, session maintenance and resets, archive
 * and media retention) and `sessions.cleanup`. Source: issue "Data lifecycle and privacy".
 */
export {
  retentionPolicy,
  lastDailyReset,
  type RetentionPolicy,
  type TranscriptPruning,
  DEFAULT_ARCHIVE_RETENTION_MS,
  DEFAULT_MEDIA_RETENTION_MS,
} from "./policy.js";
export { trimMessages } from "./trim.js";
export { runRetention, type CleanupReport, type RetentionDeps, type SessionRemovalReason } from "./retention.js";
export { createLifecycleStage, RETENTION_INTERVAL_MS, type LifecycleStage, type LifecycleStageDeps } from "./stage.js";
export { resolvePerson, type Person, type ChannelIdentity } from "./person.js";
export type { PrivacyExportReport, PrivacyForgetReport } from "./privacy.js";
export { EXPORT_FORMATS, renderSession, type ExportFormat } from "./export-session.js";
export { walkFiles, findTraces } from "./traces.js";
