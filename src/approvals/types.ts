/** What an approver decides. */
export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

/** How a pending request ended. `expired` and `aborted` count as deny. */
export interface ApprovalOutcome {
  readonly decision: ApprovalDecision | "expired" | "aborted";
  /** Who decided (`cli`, `ws:<connId>`, `chat:<channel>:<sender>`), when someone did. */
  readonly by?: string;
}

/** An argv pattern `allow-always` persists: the resolved executable and its exact arguments. */
export interface ArgvPattern {
  readonly pattern: string;
  readonly args: readonly string[];
}

/**
 * A pending exec approval, as broadcast in `exec.approval.requested` and listed by
 * `exec.approval.list`. Times are ms since the epoch.
 */
export interface ApprovalRequest {
  /** Short id to type in `/approve <id>` or `holdfast approvals approve <id>`. */
  readonly id: string;
  /** argv of the first segment (the whole command when there is one segment). */
  readonly argv: readonly string[];
  /** argv of every segment of a chained command (`a | b && c`). */
  readonly segments: readonly (readonly string[])[];
  /** Human-readable command line. */
  readonly command: string;
  /** Working directory as the command sees it (`/workspace/...` in a sandbox). */
  readonly cwd: string;
  /** Where it will run: the gateway host, a sandbox, or a node host (`sessionKey` is then `node:<nodeId>`). */
  readonly host: "host" | "sandbox" | "node";
  /**
   * True when the command runs on the gateway host because the session's elevated mode (`/elevated`,
   * `tools.elevated`) moved it out of its sandbox; absent otherwise. Shown to the approver.
   */
  readonly elevated?: boolean;
  readonly agentId: string;
  readonly sessionKey: string;
  /** Why approval is needed (`not in tools.exec.allowlist`, ...). */
  readonly reason: string;
  /**
   * Set when the request exists because the turn read untrusted content (issue "Untrusted-content
   * taint"): `summary` names it for the approver ("this turn read https://…"), `kinds` are its
   * provenance kinds (`web`, `webhook`, `dm`, `group`, `gmail`, `file`, `relay`), `sources` the labels
   * that name no person (URLs, webhook names, inbound file paths; recorded in the security trail).
   */
  readonly taint?: ApprovalTaint;
  /** The tool asking, when it is not `exec` (`write`, `message`, `sessions_send`, ...). */
  readonly tool?: string;
  /** False when `allow-always` is refused (inline code, or a command that runs another command). */
  readonly persistable: boolean;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** Why a tainted turn's call asks (see {@link ApprovalRequest.taint}). */
export interface ApprovalTaint {
  readonly summary: string;
  readonly kinds: readonly string[];
  readonly sources: readonly string[];
}

/** Input of a request: everything but id and times, plus the patterns allow-always would persist. */
export type ApprovalInput = Omit<ApprovalRequest, "id" | "createdAtMs" | "expiresAtMs"> & {
  readonly patterns: readonly ArgvPattern[];
};

/** Events of the approval manager (broadcast by the gateway). */
export type ApprovalEvent =
  | { readonly type: "requested"; readonly request: ApprovalRequest }
  | {
      readonly type: "resolved";
      readonly id: string;
      readonly decision: ApprovalOutcome["decision"];
      readonly by?: string;
    };
