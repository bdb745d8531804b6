import { isHoldfastError } from "../errors/index.js";
import type { ChannelAdapter, MediaRef } from "./adapter.js";

/** Default `mediaMaxMb` when a channel does not set one. */
export const DEFAULT_MEDIA_MAX_MB = 5;

/** `mediaMaxMb` in bytes (MiB). */
export function mediaMaxBytes(mediaMaxMb: number | undefined): number {
  return Math.floor((mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB) * 1024 * 1024);
}

/** The first attachment whose announced size exceeds `maxBytes`, if any (checked before any download). */
export function oversizedMedia(media: readonly MediaRef[], maxBytes: number): MediaRef | undefined {
  return media.find((m) => m.sizeBytes !== undefined && m.sizeBytes > maxBytes);
}

/** The note an oversized attachment earns its sender. */
export function mediaTooLargeText(ref: MediaRef | undefined, maxBytes: number): string {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  const size = ref?.sizeBytes !== undefined ? ` (${mb(ref.sizeBytes)})` : "";
  return `holdfast: that file is too large${size}; the limit is ${mb(maxBytes)}. It was not downloaded.`;
}

/** Result of {@link saveInboundMedia}. */
export type SavedMedia =
  { readonly ok: true; readonly lines: string[] } | { readonly ok: false; readonly tooLarge: boolean };

/**
 * Saves one attachment of a session (bytes, the file extension the platform reported) and returns
 * the path the session's tools read it at. Implemented by the tool stage: a gateway-owned directory
 * outside every jail, mounted read-only at `/inbox` in the session's jail.
 */
export type MediaSaver = (
  target: { readonly agentId: string; readonly sessionKey: string },
  bytes: Uint8Array,
  extension: string | undefined,
) => Promise<string>;

/**
 * Downloads each attachment through the adapter (bounded by `maxBytes`), hands it to `save` (the
 * sender's file name is never used as a path) and describes each as a line the agent reads:
 * `[attachment: photo, 1234 bytes, saved as /inbox/<name>]`.
 */
export async function saveInboundMedia(
  adapter: ChannelAdapter,
  media: readonly MediaRef[],
  maxBytes: number,
  save: (bytes: Uint8Array, extension: string | undefined) => Promise<string>,
): Promise<SavedMedia> {
  if (media.length === 0 || !adapter.fetchMedia)
    return { ok: true, lines: media.map((m) => `[attachment: ${m.kind}, not downloaded]`) };
  const lines: string[] = [];
  for (const ref of media) {
    try {
      const got = await adapter.fetchMedia(ref, maxBytes);
      const where = await save(got.bytes, got.extension);
      lines.push(`[attachment: ${ref.kind}, ${got.bytes.byteLength} bytes, saved as ${where}]`);
    } catch (err) {
      return { ok: false, tooLarge: isHoldfastError(err, "HF_CHANNEL_MEDIA") && err.details?.tooLarge === true };
    }
  }
  return { ok: true, lines };
}
