import { randomInt } from "node:crypto";
import { HoldfastError } from "../../errors/index.js";

/** Code alphabet: no 0/O/1/I. Source: reference §4.3. */
export const PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** Code length. */
export const PAIRING_CODE_LENGTH = 8;
/** A pending request lives one hour from `createdAt`. */
export const PAIRING_TTL_MS = 60 * 60 * 1000;
/** At most this many pending requests per channel account. */
export const PAIRING_MAX_PENDING = 3;

/** One pending request, as stored in `<channel>-pairing.json` (legacy OpenClaw shape). */
export interface PairingRequest {
  /** Normalized sender id. */
  readonly id: string;
  readonly code: string;
  /** ISO time. */
  readonly createdAt: string;
  /** ISO time of the sender's latest message. */
  readonly lastSeenAt: string;
  readonly meta: { readonly accountId: string; readonly name?: string };
}

/** `<channel>-pairing.json`. */
export interface PairingFile {
  readonly version: 1;
  readonly requests: readonly PairingRequest[];
}

/** Outcome of {@link upsertRequest}: `created` → send the challenge; `code === ""` → ignored (cap). */
export interface UpsertOutcome {
  readonly code: string;
  readonly created: boolean;
}

/** A fresh 8-character code from {@link PAIRING_ALPHABET} (crypto randomness). */
export function randomPairingCode(rand: (max: number) => number = randomInt): string {
  let s = "";
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) s += PAIRING_ALPHABET[rand(PAIRING_ALPHABET.length)];
  return s;
}

function createdMs(r: PairingRequest): number {
  const t = Date.parse(r.createdAt);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

function seenMs(r: PairingRequest): number {
  const t = Date.parse(r.lastSeenAt);
  return Number.isFinite(t) ? t : createdMs(r);
}

/** True while `now` is within the TTL of the request (unparsable `createdAt` counts as expired). */
export function isLive(r: PairingRequest, now: number): boolean {
  return now - createdMs(r) < PAIRING_TTL_MS;
}

/**
 * Drops expired requests, then, per account, all but the {@link PAIRING_MAX_PENDING} most recently
 * seen (legacy files may hold more).
 */
export function pruneRequests(file: PairingFile, now: number): PairingFile {
  const live = file.requests.filter((r) => isLive(r, now));
  const byAccount = new Map<string, PairingRequest[]>();
  for (const r of live) byAccount.set(r.meta.accountId, [...(byAccount.get(r.meta.accountId) ?? []), r]);
  const keep = new Set<PairingRequest>();
  for (const list of byAccount.values()) {
    const recent = [...list].sort((a, b) => seenMs(b) - seenMs(a)).slice(0, PAIRING_MAX_PENDING);
    for (const r of recent) keep.add(r);
  }
  return { version: 1, requests: live.filter((r) => keep.has(r)) };
}

/**
 * Adds or refreshes the request of (account, sender). New sender → new unique code, `created: true`.
 * Known sender → same code, `lastSeenAt` refreshed, `created: false`. A new sender while the account
 * has {@link PAIRING_MAX_PENDING} pending → `{code: "", created: false}` and the file is unchanged.
 * Source: reference §4.3 (upsert semantics).
 */
export function upsertRequest(
  file: PairingFile,
  req: { accountId: string; senderId: string; name?: string },
  now: number,
  newCode: () => string = randomPairingCode,
): { file: PairingFile; outcome: UpsertOutcome; changed: boolean } {
  const pruned = pruneRequests(file, now);
  const at = new Date(now).toISOString();
  const existing = pruned.requests.find((r) => r.meta.accountId === req.accountId && r.id === req.senderId);
  if (existing) {
    const requests = pruned.requests.map((r) => (r === existing ? { ...r, lastSeenAt: at } : r));
    return { file: { version: 1, requests }, outcome: { code: existing.code, created: false }, changed: true };
  }
  const pending = pruned.requests.filter((r) => r.meta.accountId === req.accountId).length;
  if (pending >= PAIRING_MAX_PENDING)
    return {
      file: pruned,
      outcome: { code: "", created: false },
      changed: pruned.requests.length !== file.requests.length,
    };
  const taken = new Set(pruned.requests.map((r) => r.code));
  let code = newCode();
  for (let i = 0; i < 500 && taken.has(code); i++) code = newCode();
  if (taken.has(code)) return { file: pruned, outcome: { code: "", created: false }, changed: false };
  const meta = { accountId: req.accountId, ...(req.name ? { name: req.name.slice(0, 128) } : {}) };
  const request: PairingRequest = { id: req.senderId, code, createdAt: at, lastSeenAt: at, meta };
  return {
    file: { version: 1, requests: [...pruned.requests, request] },
    outcome: { code, created: true },
    changed: true,
  };
}

/** The live request with `code` (case-insensitive), optionally only of `accountId`. */
export function findByCode(
  file: PairingFile,
  code: string,
  now: number,
  accountId?: string,
): PairingRequest | undefined {
  const want = code.trim().toUpperCase();
  return pruneRequests(file, now).requests.find(
    (r) => r.code === want && (accountId === undefined || r.meta.accountId === accountId),
  );
}

/** Parses `<channel>-pairing.json`. @throws HoldfastError HF_STATE_CORRUPT on a wrong shape. */
export function parsePairingFile(raw: unknown): PairingFile {
  const obj = raw as { version?: unknown; requests?: unknown };
  if (obj === null || typeof obj !== "object" || !Array.isArray(obj.requests))
    throw new HoldfastError("HF_STATE_CORRUPT", "expected {version:1, requests:[...]}");
  const requests: PairingRequest[] = [];
  for (const r of obj.requests as Record<string, unknown>[]) {
    if (!r || typeof r.id !== "string" || typeof r.code !== "string")
      throw new HoldfastError("HF_STATE_CORRUPT", "each request needs string id and code");
    const meta = (r.meta ?? {}) as Record<string, unknown>;
    const accountId = typeof meta.accountId === "string" && meta.accountId !== "" ? meta.accountId : "default";
    requests.push({
      id: r.id,
      code: r.code.toUpperCase(),
      createdAt: String(r.createdAt ?? ""),
      lastSeenAt: String(r.lastSeenAt ?? r.createdAt ?? ""),
      meta: { accountId, ...(typeof meta.name === "string" ? { name: meta.name } : {}) },
    });
  }
  return { version: 1, requests };
}
