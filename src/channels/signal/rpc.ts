import { randomUUID } from "node:crypto";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";
import type { Clock } from "../../infra/index.js";
import { localDetail, retryVerdictOf, withRetries, type CallFailure } from "../call-failure.js";

/** How long one JSON-RPC call may take (ms); `send` waits for Signal's servers. */
const RPC_TIMEOUT_MS = 60_000;
/** Largest JSON-RPC answer read (bytes); `getAttachment` carries base64 file data. */
const RPC_MAX_BYTES = 200 * 1024 * 1024;

/** A failure talking to the daemon: `status` is the HTTP status (0: not reached), `rpc` a JSON-RPC error. */
export class SignalCallError extends HoldfastError {
  constructor(
    message: string,
    readonly status: number,
    readonly rpc?: { readonly code: number; readonly message: string },
  ) {
    super(status === 0 ? "HF_CHANNEL_NETWORK" : "HF_CHANNEL_REFUSED", message, { status });
  }
}

/**
 * A signal-cli failure as a call failure: not reached, 5xx and 429 are retried; a JSON-RPC error
 * (unknown recipient, unknown group, rate limit proof required) is the daemon refusing.
 */
export function classifySignalError(err: unknown): CallFailure {
  if (
    !(err instanceof SignalCallError) &&
    isHoldfastError(err) &&
    (err.code === "HF_CHANNEL_REFUSED" || err.code === "HF_CHANNEL_SEND")
  )
    return { kind: "reject", code: err.code, detail: err.message };
  if (!(err instanceof SignalCallError)) return { kind: "reject", code: "HF_CHANNEL_SEND", detail: localDetail(err) };
  if (err.rpc) return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: `signal-cli: ${err.rpc.message}` };
  if (err.status === 0 || err.status === 429 || err.status >= 500)
    return { kind: "retry", code: err.status === 0 ? "HF_CHANNEL_NETWORK" : "HF_CHANNEL_REFUSED" };
  return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: `signal-cli answered HTTP ${err.status}` };
}

/** Retry only what may pass on a later attempt. */
export const signalRetryVerdict = retryVerdictOf(classifySignalError);

/**
 * The JSON-RPC endpoint of `signal-cli daemon --http` (`POST <httpUrl>/api/v1/rpc`, man page
 * signal-cli-jsonrpc(5)). Every call names the account (`params.account`), so one daemon in
 * multi-account mode serves several holdfast accounts.
 */
export class SignalRpc {
  constructor(
    readonly httpUrl: string,
    readonly account: string,
    private readonly clock: Clock,
  ) {}

  /** One call, no retries. @throws SignalCallError */
  async call<T>(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const id = randomUUID();
    let res: Response;
    try {
      res = await fetch(`${this.httpUrl}/api/v1/rpc`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", method, params: { ...params, account: this.account }, id }),
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(RPC_TIMEOUT_MS)])
          : AbortSignal.timeout(RPC_TIMEOUT_MS),
      });
    } catch {
      throw new SignalCallError(`signal-cli ${method}: daemon not reachable`, 0);
    }
    const text = await readLimited(res);
    if (res.status !== 200) throw new SignalCallError(`signal-cli ${method}: HTTP ${res.status}`, res.status);
    let body: { result?: T; error?: { code?: number; message?: string } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new SignalCallError(`signal-cli ${method}: answer is not JSON`, 502);
    }
    if (body.error)
      throw new SignalCallError(`signal-cli ${method}: ${String(body.error.message ?? "error")}`, 200, {
        code: Number(body.error.code ?? 0),
        message: String(body.error.message ?? "error").slice(0, 200),
      });
    return body.result as T;
  }

  /** {@link call} with bounded retries of transient failures. @throws HoldfastError (see `withRetries`). */
  retried<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return withRetries({ clock: this.clock, what: `signal ${method}`, classify: classifySignalError }, () =>
      this.call<T>(method, params),
    );
  }
}

async function readLimited(res: Response): Promise<string> {
  if (Number(res.headers.get("content-length") ?? 0) > RPC_MAX_BYTES) {
    await res.body?.cancel();
    throw new HoldfastError("HF_CHANNEL_REFUSED", "signal-cli answer too large");
  }
  return res.text();
}
