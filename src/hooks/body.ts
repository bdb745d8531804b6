import type { HookRefusal } from "./auth.js";

/** A body read in full, or why it was not. */
export type BodyRead =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly refusal: HookRefusal };

const CLOSE = { Connection: "close" } as const;

/**
 * Reads a request body of at most `maxBytes` within `timeoutMs` (reference §10.1: 256 KiB, 30 s). A
 * `Content-Length` above the bound is refused before anything is read; a body that grows past it is
 * cut off (413); one that has not fully arrived in time is dropped (408). Both close the connection.
 */
export async function readBoundedBody(req: Request, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const tooLarge: BodyRead = { ok: false, refusal: { status: 413, error: "payload too large", headers: CLOSE } };
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  const reader = req.body?.getReader();
  if (!reader) return { ok: true, text: "" };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timedOut]);
      if (next === "timeout") {
        void reader.cancel().catch(() => undefined);
        return { ok: false, refusal: { status: 408, error: "request body not received in time", headers: CLOSE } };
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => undefined);
        return tooLarge;
      }
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}
