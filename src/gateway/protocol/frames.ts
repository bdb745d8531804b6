import { z } from "zod";
import type { ErrorCode, WireDetailCode, WireErrorCode } from "../../errors/index.js";

/** The wire protocol version holdfast speaks (OpenClaw protocol v4, reference §3.3). */
export const PROTOCOL_VERSION = 4;
/** Largest frame accepted before the handshake completes (bytes). */
export const MAX_PREAUTH_FRAME_BYTES = 64 * 1024;
/** Largest frame accepted after the handshake (bytes); advertised as `policy.maxPayload`. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** A connection whose unsent data exceeds this is closed as a slow consumer (bytes). */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Time a client has to complete the handshake (ms). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Interval of `tick` keep-alive events (ms). */
export const TICK_INTERVAL_MS = 30_000;

/** A request frame: `{type:"req", id, method, params?}`. */
export const RequestFrameSchema = z.object({
  type: z.literal("req"),
  id: z.union([z.string().min(1).max(128), z.number().int()]),
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

/** `connect` params (extra fields that OpenClaw clients send are accepted and ignored). */
export const ConnectParamsSchema = z.looseObject({
  minProtocol: z.number().int(),
  maxProtocol: z.number().int(),
  client: z
    .looseObject({
      id: z.string().max(128).optional(),
      version: z.string().max(64).optional(),
      platform: z.string().max(64).optional(),
      mode: z.string().max(64).optional(),
      displayName: z.string().max(128).optional(),
      deviceFamily: z.string().max(64).optional(),
      instanceId: z.string().max(128).optional(),
    })
    .optional(),
  role: z.string().max(32).optional(),
  scopes: z.array(z.string().max(64)).max(32).optional(),
  caps: z.array(z.string().max(64)).max(64).optional(),
  commands: z.array(z.string().max(128)).max(256).optional(),
  auth: z
    .looseObject({
      token: z.string().max(4096).optional(),
      password: z.string().max(4096).optional(),
      deviceToken: z.string().max(4096).optional(),
      bootstrapToken: z.string().max(4096).optional(),
    })
    .optional(),
  device: z
    .looseObject({
      id: z.string().max(128),
      publicKey: z.string().max(256),
      signature: z.string().max(512),
      signedAt: z.number(),
      nonce: z.string().max(128).optional(),
    })
    .optional(),
});
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

/**
 * A wire error: `{code, message, details?, retryable?, retryAfterMs?}`. `code` and `details.code` are
 * catalogued: a wire code, and a gateway refusal's detail code or the `HF_*` code of a failure
 * (src/errors, docs/errors.md).
 */
export interface WireError {
  readonly code: WireErrorCode;
  readonly message: string;
  readonly details?: { readonly code: WireDetailCode | ErrorCode } & Readonly<Record<string, unknown>>;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
}

/** Serializes a successful response. */
export function resFrame(id: RequestFrame["id"] | null, payload: unknown): string {
  return JSON.stringify({ type: "res", id, ok: true, payload });
}

/** Serializes an error response. */
export function errorFrame(id: RequestFrame["id"] | null, error: WireError): string {
  return JSON.stringify({ type: "res", id, ok: false, error });
}

/** Serializes an event; `seq` is the per-connection event counter. */
export function eventFrame(event: string, payload: unknown, seq?: number): string {
  return eventFrameJson(event, JSON.stringify(payload), seq);
}

/**
 * {@link eventFrame} with the payload already serialized (`payloadJson` = `JSON.stringify(payload)`,
 * undefined for an undefined payload): the same text, so a broadcast serializes its payload once.
 */
export function eventFrameJson(event: string, payloadJson: string | undefined, seq?: number): string {
  const head = `{"type":"event","event":${JSON.stringify(event)}`;
  const body = payloadJson === undefined ? head : `${head},"payload":${payloadJson}`;
  return seq === undefined ? `${body}}` : `${body},"seq":${seq}}`;
}
