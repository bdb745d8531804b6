import { HoldfastError } from "../errors/index.js";

/** How long one attachment download may take (ms). */
const DOWNLOAD_TIMEOUT_MS = 120_000;

function tooLarge(what: string, maxBytes: number): HoldfastError {
  return new HoldfastError("HF_CHANNEL_MEDIA", `${what} exceeds the ${maxBytes}-byte limit`, { tooLarge: true });
}

/** @throws HoldfastError HF_CHANNEL_MEDIA with `details.tooLarge` (an announced size over the limit). */
export function refuseOversized(what: string, sizeBytes: number | undefined, maxBytes: number): void {
  if (sizeBytes !== undefined && sizeBytes > maxBytes) throw tooLarge(what, maxBytes);
}

/**
 * Downloads `url` (with `headers`, e.g. a platform's bearer token), refusing more than `maxBytes`: by
 * Content-Length first, then counting while streaming (aborted past the limit). Error messages name
 * `what`, never the URL or the headers (they may hold a token).
 * @throws HoldfastError HF_CHANNEL_MEDIA (`details.tooLarge` when the limit was the reason).
 */
export async function downloadBounded(
  url: string,
  { what, maxBytes, headers = {} }: { what: string; maxBytes: number; headers?: Record<string, string> },
): Promise<Uint8Array> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch(() => {
    throw new HoldfastError("HF_CHANNEL_MEDIA", `${what} download failed (network)`);
  });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new HoldfastError("HF_CHANNEL_MEDIA", `${what} download failed (HTTP ${res.status})`);
  }
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body.cancel();
    throw tooLarge(what, maxBytes);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(what, maxBytes);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** The lowercase file extension of a name or path (1-8 letters/digits), if any. */
export function extensionOf(name: string | undefined): string | undefined {
  return name ? /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase() : undefined;
}

/** The media kind of an attachment by its MIME type: photo, video, audio, else document. */
export function mediaKindOf(mime: string | undefined): "photo" | "video" | "audio" | "document" {
  const m = mime ?? "";
  return m.startsWith("image/")
    ? "photo"
    : m.startsWith("video/")
      ? "video"
      : m.startsWith("audio/")
        ? "audio"
        : "document";
}
