/**
 * Schema of `state/holdfast.sqlite`, as ordered migrations: `MIGRATIONS[i]` takes `user_version` from
 * i to i + 1. Never edit a shipped step; append a new one.
 *
 * Tables
 * - `sessions`: the session index (key → session id, counts, origin). Transcripts stay JSONL files.
 * - `runs`: the idempotency ledger. One row per accepted user message: the message itself (redacted, as
 *   in the transcript), its idempotency key, status (`accepted` → `running` → `ok`/`error`/`aborted`,
 *   or `interrupted` when the process died first) and the outcome.
 * - `channel_inbound`, `channel_cursor`: each channel account's durable inbound queue (deduplicated by
 *   platform update id) and its platform cursor (Telegram: the next `getUpdates` offset).
 * - `channel_replies`, `channel_outbox`: the reply owed for an inbound update (reserved when its run is
 *   admitted) and the chunks planned for it, keyed by (reply key, chunk) and sent exactly once.
 * - `migrations`: legacy files already imported. `store_issues`: corrupt files found (for doctor).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    key TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    session_id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    channel TEXT,
    chat_type TEXT,
    display_name TEXT
  );
  CREATE INDEX sessions_by_agent ON sessions(agent_id, updated_at DESC);

  CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    session_key TEXT NOT NULL,
    idempotency_key TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    origin TEXT,
    outcome TEXT,
    accepted_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (session_key, idempotency_key)
  );
  CREATE INDEX runs_open ON runs(status) WHERE status IN ('accepted', 'running');
  CREATE INDEX runs_by_time ON runs(accepted_at);

  CREATE TABLE channel_inbound (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    account_id TEXT NOT NULL,
    update_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    received_at INTEGER NOT NULL,
    done_at INTEGER,
    UNIQUE (channel, account_id, update_id)
  );
  CREATE INDEX channel_inbound_open ON channel_inbound(channel, account_id, seq) WHERE state = 'queued';

  CREATE TABLE channel_cursor (
    channel TEXT NOT NULL,
    account_id TEXT NOT NULL,
    cursor TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, account_id)
  );

  CREATE TABLE channel_replies (
    channel TEXT NOT NULL,
    account_id TEXT NOT NULL,
    reply_key TEXT NOT NULL,
    run_id TEXT,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel, account_id, reply_key)
  );
  CREATE INDEX channel_replies_awaiting ON channel_replies(state) WHERE state = 'awaiting';

  CREATE TABLE channel_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    account_id TEXT NOT NULL,
    reply_key TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    platform_id TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (channel, account_id, reply_key, chunk)
  );
  CREATE INDEX channel_outbox_open ON channel_outbox(channel, account_id, seq) WHERE state IN ('pending', 'sending');

  CREATE TABLE migrations (name TEXT PRIMARY KEY, done_at INTEGER NOT NULL, detail TEXT);

  CREATE TABLE store_issues (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    file TEXT NOT NULL,
    moved_to TEXT,
    problem TEXT NOT NULL,
    fix TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  `,
];
