/**
 * The one error catalogue of holdfast. Every thrown {@link HoldfastError} and every error code sent
 * over the gateway wire protocol is listed here with a stable code. `docs/errors.md` documents each
 * entry; a test keeps the two in sync.
 *
 * Two families:
 * - `HF_*` codes: holdfast failures (config, state, providers, tools, ...). `exitCode` is what the CLI
 *   exits with when such an error ends a command.
 * - wire codes (`INVALID_REQUEST`, `UNAVAILABLE`, ...): the `error.code` of a `res` frame, compatible
 *   with the OpenClaw protocol v4 (reference: openclaw-semantics.md §3.3).
 */
export const ERROR_CATALOGUE = {
  // Config and state
  HF_CONFIG_PARSE: { exitCode: 78, summary: "The config file is not valid JSON5." },
  HF_CONFIG_INVALID: { exitCode: 78, summary: "The config failed validation; the message names each bad key path." },
  HF_CONFIG_ENV_MISSING: {
    exitCode: 78,
    summary: "A ${VAR} reference in the config names an unset environment variable.",
  },
  HF_CONFIG_WRITE: { exitCode: 1, summary: "A config change could not be written." },
  HF_STATE_IO: { exitCode: 1, summary: "A state file could not be read or written atomically." },
  HF_STATE_CORRUPT: { exitCode: 1, summary: "A state file exists but does not hold the expected JSON shape." },
  HF_STATE_DISK_FULL: {
    exitCode: 1,
    summary: "A state write failed because the disk or quota is full (ENOSPC, EDQUOT, SQLITE_FULL).",
  },
  HF_STATE_FD_LIMIT: {
    exitCode: 1,
    summary: "A state file could not be opened: the process hit its open-file limit (EMFILE, ENFILE).",
  },
  HF_STATE_BUSY: { exitCode: 1, summary: "The state database stayed locked by another process past the busy timeout." },
  // Secrets
  HF_SECRET_UNRESOLVED: { exitCode: 78, summary: "A SecretRef could not be resolved to a non-empty string." },
  HF_SECRET_INSECURE_FILE: {
    exitCode: 78,
    summary: "A file SecretRef points at a file readable or writable by others.",
  },
  // Secrets, logging, audit
  HF_SECRETS_PLAN_INVALID: {
    exitCode: 2,
    summary: "A `secrets apply` plan file is not valid; the message names the bad field.",
  },
  HF_SECRETS_APPLY_FAILED: {
    exitCode: 1,
    summary: "A `secrets apply` move could not be carried out; nothing of it was written.",
  },
  HF_LOG_FILE_INSECURE: {
    exitCode: 78,
    summary: "The log file or its directory is a symlink or belongs to another user.",
  },
  // Gateway
  HF_GATEWAY_BIND_REFUSED: {
    exitCode: 78,
    summary: "The gateway refused to listen on a non-loopback address without auth.",
  },
  HF_GATEWAY_AUTH_CONFIG: {
    exitCode: 78,
    summary: "The gateway auth settings are unusable (weak, blank or conflicting).",
  },
  HF_GATEWAY_LISTEN: { exitCode: 1, summary: "The gateway could not listen on its address and port." },
  HF_GATEWAY_UNREACHABLE: { exitCode: 1, summary: "A CLI command could not reach the running gateway." },
  HF_SHUTTING_DOWN: { exitCode: 1, summary: "The gateway is shutting down and takes no new work." },
  HF_GATEWAY_REQUEST_FAILED: { exitCode: 1, summary: "The running gateway answered a CLI request with an error." },
  // Network exposure (bind, TLS, Tailscale, devices, incident response)
  HF_GATEWAY_TLS: {
    exitCode: 78,
    summary: "The gateway TLS certificate or key is missing, unreadable, exposed or mismatched.",
  },
  HF_GATEWAY_TAILSCALE: { exitCode: 1, summary: "The tailscale CLI could not establish the Serve/Funnel route." },
  HF_TLS_PIN_MISMATCH: {
    exitCode: 1,
    summary: "The gateway's TLS certificate does not match the pinned SHA-256 fingerprint.",
  },
  HF_GATEWAY_STOP_FAILED: { exitCode: 1, summary: "The running gateway did not stop when asked." },
  // Agent and providers
  HF_NO_MODEL: { exitCode: 1, summary: "No model provider is configured or reachable." },
  HF_MODEL_REF_INVALID: {
    exitCode: 78,
    summary: "A model reference is not of the form <provider>/<model> or names an unknown provider.",
  },
  HF_PROVIDER_AUTH: { exitCode: 1, summary: "The model provider rejected the credentials (401/403)." },
  HF_PROVIDER_RATE_LIMIT: { exitCode: 1, summary: "The model provider kept answering 429 after retries." },
  HF_PROVIDER_UNAVAILABLE: { exitCode: 1, summary: "The model provider failed (5xx or network) after retries." },
  HF_PROVIDER_BAD_RESPONSE: {
    exitCode: 1,
    summary: "The model provider answered with something that is not a valid reply.",
  },
  HF_RUN_ABORTED: { exitCode: 1, summary: "An agent run was aborted by a client or by shutdown." },
  HF_RUN_LIMIT: { exitCode: 1, summary: "An agent run hit its tool-iteration bound." },
  HF_RUN_INTERRUPTED: {
    exitCode: 1,
    summary: "A run was in flight when the gateway stopped unexpectedly; its reply was never completed.",
  },
  // Tools
  HF_TOOL_ARGS_INVALID: { exitCode: 1, summary: "A tool call's arguments did not match the tool's schema." },
  HF_TOOL_PATH_OUTSIDE: {
    exitCode: 1,
    summary: "A file tool path resolves outside the workspace or into the state dir.",
  },
  HF_TOOL_FAILED: { exitCode: 1, summary: "A tool ran and failed." },
  // Tool policy, exec approvals and the sandbox
  HF_APPROVAL_REFUSED: {
    exitCode: 1,
    summary: "An exec approval cannot be resolved as asked (allow-always for a command that cannot be persisted).",
  },
  HF_SANDBOX_UNAVAILABLE: {
    exitCode: 1,
    summary: "The configured sandbox backend is unavailable, so a sandboxed session cannot run tools.",
  },
  // Sessions
  HF_SESSION_KEY_INVALID: { exitCode: 1, summary: "A session key is malformed." },
  HF_SESSION_NOT_FOUND: { exitCode: 1, summary: "No session exists with that key." },
  // Channels, access control and pairing
  HF_CHANNEL_CONFIG: {
    exitCode: 78,
    summary:
      "A channel account's settings are unusable (no bot token, webhook without secret, duplicate webhook path, unknown agent in bindings).",
  },
  HF_CHANNEL_AUTH: {
    exitCode: 1,
    summary: "The messaging platform rejected the channel account's credentials (bot token).",
  },
  HF_CHANNEL_CONFLICT: {
    exitCode: 1,
    summary: "Another process receives updates for the same bot (Telegram 409); the account stopped.",
  },
  HF_CHANNEL_SEND: { exitCode: 1, summary: "A message could not be sent through a channel." },
  HF_CHANNEL_MEDIA: {
    exitCode: 1,
    summary: "An inbound media file could not be downloaded, or exceeded mediaMaxMb while downloading.",
  },
  HF_CHANNEL_UNKNOWN: { exitCode: 1, summary: "No such channel or channel account is configured and running." },
  HF_PAIRING_NOT_FOUND: { exitCode: 1, summary: "No pending (unexpired) pairing request matches the code." },
  HF_PAIRING_INVALID: { exitCode: 2, summary: "A pairing channel, account id or sender id is malformed or unknown." },
  // Nodes
  HF_NODE_NOT_CONNECTED: { exitCode: 1, summary: "No node host with that id is connected." },
  HF_NODE_REFUSED: { exitCode: 1, summary: "A node command was refused (policy, approval or the node itself)." },
  HF_NODE_TIMEOUT: { exitCode: 1, summary: "A node host did not answer an invocation in time." },
  // CLI
  HF_CLI_USAGE: { exitCode: 2, summary: "A CLI command was called with bad arguments." },
  HF_NOT_FOUND: { exitCode: 1, summary: "The thing a CLI command names does not exist." },

  // Wire codes (res.error.code)
  INVALID_REQUEST: {
    exitCode: 1,
    summary: "Wire: a bad frame, bad params, failed handshake or failed auth.",
    wire: true,
  },
  UNAVAILABLE: {
    exitCode: 1,
    summary: "Wire: the gateway cannot serve the request now (starting, stopping, rate limited).",
    wire: true,
  },
  FORBIDDEN: { exitCode: 1, summary: "Wire: the connection lacks the scope the method needs.", wire: true },
  NOT_FOUND: { exitCode: 1, summary: "Wire: the method or the object it names does not exist.", wire: true },
  NOT_PAIRED: { exitCode: 1, summary: "Wire: the device must be paired before it can connect.", wire: true },
  INTERNAL: {
    exitCode: 1,
    summary: "Wire: an unexpected failure inside the gateway (details are logged, never sent).",
    wire: true,
  },
} as const satisfies Record<string, { exitCode: number; summary: string; wire?: true }>;

/** A stable error code from {@link ERROR_CATALOGUE}. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Wire error codes usable in a `res` frame's `error.code`. */
export type WireErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CATALOGUE)[K] extends { wire: true } ? K : never;
}[ErrorCode];
