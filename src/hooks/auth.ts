import { AuthRateLimiter, type ClientAddress, type LimiterKey } from "../gateway/index.js";
import { secretEquals } from "../infra/index.js";
import type { SecurityTrail } from "../trail/index.js";

/** Failures per client within {@link HOOKS_FAILURE_WINDOW_MS} that lock it out. Source: reference §10.1. */
export const HOOKS_MAX_FAILURES = 20;
/** The failure window and the lockout (ms): 60 s each. Source: reference §10.1. */
export const HOOKS_FAILURE_WINDOW_MS = 60_000;

/** A refused webhook request: the HTTP status, a JSON body and extra headers. */
export interface HookRefusal {
  readonly status: 400 | 401 | 408 | 413 | 429 | 503;
  readonly error: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a request presented, as read from its URL and headers. */
export interface PresentedCredential {
  /** True when the URL has a `token` query parameter (refused whatever the headers hold). */
  readonly inQuery: boolean;
  /** `Authorization: Bearer <t>`, else `x-openclaw-token`, else `x-holdfast-token` (bearer wins). */
  readonly token?: string;
}

/** Reads the credential a webhook request presents (reference §10.1). */
export function presentedCredential(url: URL, header: (name: string) => string | undefined): PresentedCredential {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header("authorization") ?? "")?.[1];
  const token = bearer ?? header("x-openclaw-token") ?? header("x-holdfast-token");
  return { inQuery: url.searchParams.has("token"), ...(token !== undefined ? { token } : {}) };
}

/**
 * Failed attempts per client of one webhook surface (reference §10.1): {@link HOOKS_MAX_FAILURES}
 * failures within 60 s lock the client out for 60 s (429 with `Retry-After`), loopback clients as
 * well. Each failure and lockout is recorded in the security trail with the client's IP and `surface`.
 */
export class ClientLockout {
  private readonly limiter: AuthRateLimiter;

  constructor(
    private readonly o: { readonly now: () => number; readonly trail: SecurityTrail; readonly surface: string },
  ) {
    this.limiter = new AuthRateLimiter(
      {
        maxAttempts: HOOKS_MAX_FAILURES,
        windowMs: HOOKS_FAILURE_WINDOW_MS,
        lockoutMs: HOOKS_FAILURE_WINDOW_MS,
        exemptLoopback: false,
      },
      o.now,
    );
  }

  private key(client: ClientAddress): LimiterKey {
    return { key: `${this.o.surface}:${client.ip}`, exempt: false, loopback: false };
  }

  /** The 429 for a client that is locked out, else undefined. */
  locked(client: ClientAddress): HookRefusal | undefined {
    const ms = this.limiter.retryAfterMs(this.key(client));
    return ms > 0 ? tooMany(ms) : undefined;
  }

  /** Counts a failure (`reason` is a code, never a credential) and records it in the trail. */
  failed(client: ClientAddress, reason: string): void {
    const { retryAfterMs } = this.limiter.recordFailure(this.key(client));
    void this.o.trail.record({
      type: retryAfterMs > 0 ? "auth.lockout" : "auth.failed",
      actor: { kind: "network", ip: client.ip },
      details: { surface: this.o.surface, reason },
    });
  }

  succeeded(client: ClientAddress): void {
    this.limiter.recordSuccess(this.key(client));
  }
}

/**
 * Webhook authentication (reference §10.1): a `?token=` in the URL is a 400 even next to a valid
 * header (a URL ends up in proxy and access logs); a missing or wrong token is a 401, compared in
 * constant time; failures count toward the client's {@link ClientLockout} (surface `hooks`), whose 429
 * comes first, the right token included.
 */
export class HookAuth {
  private readonly lockout: ClientLockout;

  constructor(
    private readonly o: {
      /** The current hooks token (read on every request: `secrets reload` swaps it). */
      readonly token: () => string | undefined;
      readonly now: () => number;
      readonly trail: SecurityTrail;
    },
  ) {
    this.lockout = new ClientLockout({ now: o.now, trail: o.trail, surface: "hooks" });
  }

  /** Undefined when the request may go on, else the refusal to answer with. */
  check(client: ClientAddress, presented: PresentedCredential): HookRefusal | undefined {
    const locked = this.lockout.locked(client);
    if (locked) return locked;
    if (presented.inQuery)
      return { status: 400, error: "send the hooks token in a header (Authorization: Bearer), never in the URL" };
    const expected = this.o.token();
    if (expected !== undefined && expected !== "" && secretEquals(presented.token, expected)) {
      this.lockout.succeeded(client);
      return undefined;
    }
    this.lockout.failed(client, presented.token === undefined ? "token_missing" : "token_mismatch");
    return { status: 401, error: "unauthorized" };
  }
}

function tooMany(ms: number): HookRefusal {
  return { status: 429, error: "too many failed attempts", headers: { "Retry-After": String(Math.ceil(ms / 1000)) } };
}
