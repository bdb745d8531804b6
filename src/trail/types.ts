/**
 * The security events the trail records (issue "Tamper-evident security trail"; seeds "Audit and
 * Monitoring", "Post-Incident Audit"). Names are `<area>.<what>`; `holdfast audit-log show --type`
 * matches a whole name or an area (`pairing`).
 */
export const SECURITY_EVENT_TYPES = [
  "auth.failed",
  "auth.lockout",
  "pairing.requested",
  "pairing.approved",
  "pairing.rejected",
  "pairing.revoked",
  "device.pairing_requested",
  "device.paired",
  "device.rejected",
  "device.revoked",
  "elevated.on",
  "elevated.off",
  "elevated.refused",
  "exec_approval.requested",
  "exec_approval.decided",
  "tool.refused",
  "tool.tainted",
  "config.changed",
  "secrets.reloaded",
  "secrets.reload_failed",
  "lockdown",
  "privacy.forget",
] as const;

/** One of {@link SECURITY_EVENT_TYPES}. */
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** A person on a channel (`telegram` + `12345`); written only as a pseudonym, never raw. */
export interface PersonRef {
  readonly channel: string;
  readonly id: string;
}

/**
 * Who caused an event: a CLI command, a gateway method call (with the caller's device id when it has
 * one), `security audit --fix`, a chat participant (pseudonymized), a remote network client (its IP),
 * or the gateway itself.
 */
export type SecurityActor =
  | { readonly kind: "cli"; readonly command: string }
  | { readonly kind: "gateway"; readonly method: string; readonly client?: string; readonly deviceId?: string }
  | { readonly kind: "fix"; readonly command: string }
  | { readonly kind: "person"; readonly person: PersonRef }
  | { readonly kind: "network"; readonly ip: string }
  | { readonly kind: "system" };

/** The actor of a gateway method call: the method and the caller's client id and device id. */
export function gatewayActor(
  method: string,
  conn: { readonly clientId?: string; readonly deviceId?: string },
): SecurityActor {
  return {
    kind: "gateway",
    method,
    ...(conn.clientId ? { client: conn.clientId } : {}),
    ...(conn.deviceId ? { deviceId: conn.deviceId } : {}),
  };
}

/** A detail value: ids, codes, counts, reasons, key paths. Never message content or secret values. */
export type DetailValue = string | number | boolean | readonly string[];

/** A security event as recorded by a stage. */
export interface SecurityEvent {
  readonly type: SecurityEventType;
  readonly actor?: SecurityActor;
  /** The person the event is about (the paired sender, the revoked sender, ...). */
  readonly subject?: PersonRef;
  readonly details?: Readonly<Record<string, DetailValue>>;
}

/**
 * The port every stage records security events through. `record` never throws and never rejects: a
 * trail that cannot be written is logged as an error and the event is lost (the chain stays valid).
 * Await it where the process may exit right after (CLI commands); stages need not.
 */
export interface SecurityTrail {
  record(event: SecurityEvent): Promise<void>;
  /** Resolves when every event recorded so far is on disk. */
  flush(): Promise<void>;
}

/** A trail that drops every event (unit tests of stages that do not look at the trail). */
export const noSecurityTrail: SecurityTrail = {
  record: () => Promise.resolve(),
  flush: () => Promise.resolve(),
};

/** One line of `<stateDir>/audit/security.jsonl`. `hash` covers every other field; `prev` is the previous line's hash. */
export interface TrailEntry {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly actor?: Readonly<Record<string, string>>;
  /** Pseudonym (`p:<hex>`) of the person the event is about. */
  readonly subject?: string;
  readonly details?: Readonly<Record<string, DetailValue>>;
  readonly prev: string;
  readonly hash: string;
}
