import type { WireErrorCode } from "./wire.js";

/** One catalogue entry. */
export interface CatalogueEntry {
  /** What the CLI exits with when such an error ends a command. */
  readonly exitCode: number;
  /**
   * The `res.error.code` a gateway client gets when a method fails with this error (the HF code itself
   * goes in `details.code`). Errors whose wire code is `INTERNAL` are sent as a bare `internal error`.
   */
  readonly wire: WireErrorCode;
  readonly summary: string;
}

/**
 * The one error catalogue of holdfast. Every thrown {@link HoldfastError} has a stable code listed
 * here with the CLI exit code and the wire error it becomes over the gateway protocol (a typed field:
 * a new code does not compile without one). `docs/errors.md` documents each entry; a test keeps the
 * two in sync. The wire protocol's own codes (`res.error.code`, `details.code`) are in `wire.ts`.
 */
export const ERROR_CATALOGUE = {
  // Config and state
  HF_CONFIG_PARSE: { exitCode: 78, wire: "INVALID_REQUEST", summary: "The config file is not valid JSON5." },
  HF_CONFIG_INVALID: {
    exitCode: 78,
    wire: "INVALID_REQUEST",
    summary: "The config failed validation; the message names each bad key path.",
  },
  HF_CONFIG_ENV_MISSING: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "A ${VAR} reference in the config names an unset environment variable.",
  },
  HF_CONFIG_WRITE: { exitCode: 1, wire: "UNAVAILABLE", summary: "A config change could not be written." },
  HF_STATE_IO: { exitCode: 1, wire: "UNAVAILABLE", summary: "A state file could not be read or written atomically." },
  HF_STATE_CORRUPT: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A state file exists but does not hold the expected JSON shape.",
  },
  HF_STATE_DISK_FULL: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A state write failed because the disk or quota is full (ENOSPC, EDQUOT, SQLITE_FULL).",
  },
  HF_STATE_FD_LIMIT: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A state file could not be opened: the process hit its open-file limit (EMFILE, ENFILE).",
  },
  HF_STATE_BUSY: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The state database stayed locked by another process past the busy timeout.",
  },
  // Secrets
  HF_SECRET_UNRESOLVED: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "A SecretRef could not be resolved to a non-empty string.",
  },
  HF_SECRET_INSECURE_FILE: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "A file SecretRef points at a file readable or writable by others.",
  },
  // Secrets, logging, audit
  HF_SECRETS_PLAN_INVALID: {
    exitCode: 2,
    wire: "UNAVAILABLE",
    summary: "A `secrets apply` plan file is not valid; the message names the bad field.",
  },
  HF_SECRETS_APPLY_FAILED: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A `secrets apply` move could not be carried out; nothing of it was written.",
  },
  HF_LOG_FILE_INSECURE: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The log file or its directory is a symlink or belongs to another user.",
  },
  // Gateway
  HF_GATEWAY_BIND_REFUSED: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The gateway refused to listen on a non-loopback address without auth.",
  },
  HF_GATEWAY_AUTH_CONFIG: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The gateway auth settings are unusable (weak, blank or conflicting).",
  },
  HF_GATEWAY_TOKEN_FILE: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary:
      "The generated gateway token file is not a private, single-link regular file of this user holding 32 random bytes.",
  },
  HF_STATE_DIR_INSECURE: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The state directory belongs to another user.",
  },
  HF_GATEWAY_LISTEN: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The gateway could not listen on its address and port.",
  },
  HF_GATEWAY_RUNNING: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "Another gateway holds this state dir's instance lock (`gateway.lock`).",
  },
  HF_GATEWAY_UNREACHABLE: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A CLI command could not reach the running gateway.",
  },
  HF_SHUTTING_DOWN: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The gateway is shutting down and takes no new work.",
  },
  HF_GATEWAY_REQUEST_FAILED: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The running gateway answered a CLI request with an error.",
  },
  HF_STAGE_STARTED: {
    exitCode: 1,
    wire: "INTERNAL",
    summary: "A gateway method, route or status fact was registered, or a port bound, after the gateway started.",
  },
  HF_STAGE_UNBOUND: {
    exitCode: 1,
    wire: "INTERNAL",
    summary: "A stage used a port before the composition root bound it, or a port was bound twice.",
  },
  // Network exposure (bind, TLS, Tailscale, devices, incident response)
  HF_GATEWAY_TLS: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The gateway TLS certificate or key is missing, unreadable, exposed or mismatched.",
  },
  HF_GATEWAY_TAILSCALE: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The tailscale CLI could not establish the Serve/Funnel route.",
  },
  HF_TLS_PIN_MISMATCH: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The gateway's TLS certificate does not match the pinned SHA-256 fingerprint.",
  },
  HF_GATEWAY_STOP_FAILED: { exitCode: 1, wire: "UNAVAILABLE", summary: "The running gateway did not stop when asked." },
  // Agent and providers
  HF_NO_MODEL: { exitCode: 1, wire: "UNAVAILABLE", summary: "No model provider is configured or reachable." },
  HF_MODEL_REF_INVALID: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "A model reference is not of the form <provider>/<model> or names an unknown provider.",
  },
  HF_PROVIDER_AUTH: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The model provider rejected the credentials (401/403).",
  },
  HF_PROVIDER_RATE_LIMIT: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The model provider kept answering 429 after retries.",
  },
  HF_PROVIDER_UNAVAILABLE: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The model provider kept failing (HTTP 5xx) after retries.",
  },
  HF_PROVIDER_REFUSED: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The model provider refused the request (HTTP 4xx other than 401/403/429: bad request, unknown model).",
  },
  HF_PROVIDER_NETWORK: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The model provider could not be reached (DNS, connection, TLS, timeout) after retries.",
  },
  HF_PROVIDER_BAD_RESPONSE: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The model provider answered with something that is not a valid reply (empty, unparsable, malformed SSE).",
  },
  HF_PROVIDER_TIMEOUT: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A model call exceeded agents.defaults.timeoutSeconds, or its stream stalled mid-reply.",
  },
  HF_RUN_ABORTED: { exitCode: 1, wire: "UNAVAILABLE", summary: "An agent run was aborted by a client or by shutdown." },
  HF_RUN_LIMIT: { exitCode: 1, wire: "UNAVAILABLE", summary: "An agent run hit its tool-iteration bound." },
  HF_RUN_INTERRUPTED: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A run was in flight when the gateway stopped unexpectedly; its reply was never completed.",
  },
  HF_UNSUPPORTED_PARAMS: {
    exitCode: 2,
    wire: "INVALID_REQUEST",
    summary:
      "A gateway request asks for something holdfast does not do (an agent reply delivered to a channel, a model override); the message names the param.",
  },
  // Tools
  HF_TOOL_ARGS_INVALID: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A tool call's arguments did not match the tool's schema.",
  },
  HF_TOOL_PATH_OUTSIDE: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary:
      "A file tool path leaves the workspace (checked inside the jail, after symlinks), is on a read-only mount, or is a symlink where a file is written.",
  },
  HF_TOOL_FAILED: { exitCode: 1, wire: "UNAVAILABLE", summary: "A tool ran and failed." },
  HF_TOOL_URL_REFUSED: {
    exitCode: 1,
    wire: "FORBIDDEN",
    summary: "web_fetch refused to connect: the host resolves to a private or loopback address.",
  },
  // Tool policy, exec approvals and the sandbox
  HF_APPROVAL_REFUSED: {
    exitCode: 1,
    wire: "FORBIDDEN",
    summary: "An exec approval cannot be resolved as asked (allow-always for a command that cannot be persisted).",
  },
  HF_SANDBOX_UNAVAILABLE: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary:
      "The session's jail cannot run (sandbox backend unavailable, or no bubblewrap for the host jail), so its tools are refused.",
  },
  // Sessions
  HF_SESSION_KEY_INVALID: { exitCode: 1, wire: "INVALID_REQUEST", summary: "A session key is malformed." },
  HF_SESSION_NOT_FOUND: { exitCode: 1, wire: "NOT_FOUND", summary: "No session exists with that key." },
  // Webhook ingress
  HF_HOOKS_CONFIG: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary:
      'The webhook settings are unusable (no or short hooks.token, the gateway\'s own credential, hooks.path "/", an unknown agent or session key).',
  },
  HF_GMAIL_API: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary:
      "The Gmail API or Google's token endpoint could not be reached or refused a request (network, timeout, HTTP error, revoked token), so new mail is fetched again after a backoff.",
  },
  // Channels, access control and pairing
  HF_CHANNEL_CONFIG: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary:
      "A channel account's settings are unusable (no bot token, webhook without secret, duplicate webhook path, unknown agent in bindings).",
  },
  HF_CHANNEL_AUTH: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The messaging platform rejected the channel account's credentials (bot token).",
  },
  HF_CHANNEL_CONFLICT: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "Another process receives updates for the same bot (Telegram 409); retried with backoff until it clears.",
  },
  HF_CHANNEL_REFUSED: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The messaging platform answered a call with an error (a refusal, or 429/5xx through every retry).",
  },
  HF_CHANNEL_NETWORK: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "The messaging platform could not be reached (network, DNS, TLS, timeout) through every retry.",
  },
  HF_CHANNEL_SEND: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A message could not be sent through a channel for another reason (a local failure, no platform answer).",
  },
  HF_CHANNEL_MEDIA: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "An inbound media file could not be downloaded, or exceeded mediaMaxMb while downloading.",
  },
  HF_CHANNEL_UNKNOWN: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "No such channel or channel account is configured and running.",
  },
  HF_PAIRING_NOT_FOUND: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "No pending (unexpired) pairing request matches the code.",
  },
  HF_PAIRING_INVALID: {
    exitCode: 2,
    wire: "UNAVAILABLE",
    summary: "A pairing channel, account id or sender id is malformed or unknown.",
  },
  // Nodes
  HF_NODE_NOT_CONNECTED: { exitCode: 1, wire: "NOT_FOUND", summary: "No node host with that id is connected." },
  HF_NODE_REFUSED: {
    exitCode: 1,
    wire: "FORBIDDEN",
    summary: "A node command was refused (policy, approval or the node itself).",
  },
  HF_NODE_TIMEOUT: { exitCode: 1, wire: "UNAVAILABLE", summary: "A node host did not answer an invocation in time." },
  // CLI
  HF_CLI_USAGE: { exitCode: 2, wire: "INVALID_REQUEST", summary: "A CLI command was called with bad arguments." },
  HF_BACKUP_INVALID: {
    exitCode: 1,
    wire: "INVALID_REQUEST",
    summary: "A backup archive is damaged, altered, or not a holdfast backup.",
  },
  HF_BACKUP_PASSPHRASE: {
    exitCode: 1,
    wire: "INVALID_REQUEST",
    summary: "A backup passphrase is missing, or it does not open the archive.",
  },
  HF_BACKUP_TARGET: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "A backup cannot be restored there: the state dir is not empty or its gateway runs.",
  },
  // Encryption at rest
  HF_ENCRYPTION_KEY_MISSING: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary:
      "Encryption at rest is on and no key-encryption key is available (storage.encryption.key, the OS keyring, a passphrase).",
  },
  HF_ENCRYPTION_KEY_WRONG: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The key-encryption key given is not the one the state dir was encrypted with.",
  },
  HF_ENCRYPTION_TAMPERED: {
    exitCode: 1,
    wire: "UNAVAILABLE",
    summary: "An encrypted state file failed authentication: it was altered, cut or sealed under another key.",
  },
  HF_ENCRYPTION_KEYRING: {
    exitCode: 78,
    wire: "UNAVAILABLE",
    summary: "The OS keyring cannot hold or give the encryption key here (no Secret Service, locked, refused).",
  },
  HF_ENCRYPTION_STATE: {
    exitCode: 1,
    wire: "INVALID_REQUEST",
    summary: "An encryption command does not apply to the state dir as it is (already on/off, gateway running).",
  },
  HF_NOT_FOUND: { exitCode: 1, wire: "NOT_FOUND", summary: "The thing a CLI command names does not exist." },
  HF_ONBOARD_CONFLICT: {
    exitCode: 1,
    wire: "INVALID_REQUEST",
    summary: "`holdfast onboard` would change values the config already sets differently (pass --force).",
  },
  // Bugs
  HF_INTERNAL: {
    exitCode: 1,
    wire: "INTERNAL",
    summary: "An internal invariant does not hold: a bug in holdfast or a broken installation.",
  },
} as const satisfies Record<string, CatalogueEntry>;

/** A stable error code from {@link ERROR_CATALOGUE}. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The `res.error.code` a gateway client gets for an error with this code. */
export function wireCodeOf(code: ErrorCode): WireErrorCode {
  return ERROR_CATALOGUE[code].wire;
}
