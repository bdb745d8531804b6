import { createHash, randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import { cliHint, JsonFileStore, secretEquals, type Clock } from "../infra/index.js";

/** How long a pairing request waits for approval (ms; reference §3.9). */
export const PENDING_TTL_MS = 5 * 60_000;
/** Pending requests kept at most; the oldest is dropped beyond that. */
export const MAX_PENDING = 100;

const Role = z.enum(["operator", "node"]);
const Info = { clientId: z.string().optional(), displayName: z.string().optional(), platform: z.string().optional() };

const PairedSchema = z.object({
  deviceId: z.string(),
  publicKey: z.string(),
  role: Role,
  scopes: z.array(z.string()),
  ...Info,
  approvedAt: z.number(),
  approvedBy: z.enum(["local-auto", "operator"]),
  tokenHash: z.string().optional(),
  tokenIssuedAt: z.number().optional(),
  lastSeenAt: z.number().optional(),
  lastIp: z.string().optional(),
});
const PendingSchema = z.object({
  requestId: z.string(),
  deviceId: z.string(),
  publicKey: z.string(),
  role: Role,
  scopes: z.array(z.string()),
  ...Info,
  remoteIp: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
const PairedFile = z.object({ version: z.literal(1), devices: z.record(z.string(), PairedSchema) });
const PendingFile = z.object({ version: z.literal(1), requests: z.record(z.string(), PendingSchema) });

/** A paired (approved) device. `tokenHash` is the SHA-256 of its current device token. */
export type PairedDevice = z.infer<typeof PairedSchema>;
/** A pairing request waiting for `holdfast devices approve`. */
export type PendingRequest = z.infer<typeof PendingSchema>;
/** What a device asks for when it pairs. */
export type DeviceRequest = Pick<
  PendingRequest,
  "deviceId" | "publicKey" | "role" | "scopes" | "clientId" | "displayName" | "platform" | "remoteIp"
>;

const hash = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * Paired devices and pending requests: `<devicesDir>/paired.json` and `pending.json` (mode 600 in a
 * 700 dir, atomic, locked across processes, so the CLI and the gateway may both change them).
 * Source: seeds security-architecture.md "Device Pairing"; reference §3.9.
 */
export class DeviceStore {
  private readonly paired: JsonFileStore<z.infer<typeof PairedFile>>;
  private readonly pending: JsonFileStore<z.infer<typeof PendingFile>>;

  constructor(
    dir: string,
    private readonly clock: Pick<Clock, "now">,
  ) {
    this.paired = new JsonFileStore(
      path.join(dir, "paired.json"),
      (v) => PairedFile.parse(v),
      () => ({ version: 1 as const, devices: {} }),
    );
    this.pending = new JsonFileStore(
      path.join(dir, "pending.json"),
      (v) => PendingFile.parse(v),
      () => ({ version: 1 as const, requests: {} }),
    );
  }

  async listPaired(): Promise<PairedDevice[]> {
    return Object.values((await this.paired.read()).devices).sort((a, b) => a.approvedAt - b.approvedAt);
  }

  /** Unexpired requests, oldest first. */
  async listPending(): Promise<PendingRequest[]> {
    const now = this.clock.now();
    return Object.values((await this.pending.read()).requests)
      .filter((r) => r.expiresAt > now)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async getPaired(deviceId: string): Promise<PairedDevice | undefined> {
    return (await this.paired.read()).devices[deviceId];
  }

  /**
   * Files a pairing request (5 min expiry). An unexpired request of the same device with the same
   * role, key and scopes is returned as is; a different one supersedes it (new request id).
   */
  async request(req: DeviceRequest): Promise<PendingRequest> {
    const now = this.clock.now();
    return this.pending.update((cur) => {
      const live = Object.values(cur.requests).filter((r) => r.expiresAt > now);
      const same = live.find((r) => r.deviceId === req.deviceId);
      if (
        same &&
        same.role === req.role &&
        same.publicKey === req.publicKey &&
        same.scopes.join(",") === req.scopes.join(",")
      )
        return { value: cur, result: same, write: false };
      const kept = live
        .filter((r) => r.deviceId !== req.deviceId)
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(-(MAX_PENDING - 1));
      const created: PendingRequest = {
        ...req,
        requestId: randomUUID(),
        createdAt: now,
        expiresAt: now + PENDING_TTL_MS,
      };
      return {
        value: { version: 1, requests: Object.fromEntries([...kept, created].map((r) => [r.requestId, r])) },
        result: created,
      };
    });
  }

  /** Pairs a device without a request (direct loopback auto-approval). */
  async pairLocal(req: DeviceRequest): Promise<PairedDevice> {
    const { remoteIp, ...rest } = req;
    const device: PairedDevice = { ...rest, approvedAt: this.clock.now(), approvedBy: "local-auto", lastIp: remoteIp };
    await this.paired.update((cur) => ({
      value: { version: 1, devices: { ...cur.devices, [device.deviceId]: device } },
      result: undefined,
    }));
    return device;
  }

  /** Approves a pending request (by request id, device id, or a unique prefix of 8+ characters). @throws HoldfastError HF_NOT_FOUND. */
  async approve(id: string): Promise<PairedDevice> {
    const req = await this.takePending(id);
    const { requestId: _r, createdAt: _c, expiresAt: _e, remoteIp, ...rest } = req;
    const device: PairedDevice = { ...rest, approvedAt: this.clock.now(), approvedBy: "operator", lastIp: remoteIp };
    await this.paired.update((cur) => ({
      value: { version: 1, devices: { ...cur.devices, [device.deviceId]: device } },
      result: undefined,
    }));
    return device;
  }

  /** Drops a pending request. @throws HoldfastError HF_NOT_FOUND. */
  async reject(id: string): Promise<PendingRequest> {
    return this.takePending(id);
  }

  /** Unpairs a device (its token stops working). @throws HoldfastError HF_NOT_FOUND. */
  async revoke(id: string): Promise<PairedDevice> {
    return this.paired.update((cur) => {
      const device = pick(Object.values(cur.devices), id, (d) => [d.deviceId]);
      if (!device) throw notFound("paired device", id);
      const { [device.deviceId]: _gone, ...devices } = cur.devices;
      return { value: { version: 1, devices }, result: device };
    });
  }

  /** Issues a new device token (32 random bytes, base64url) for a paired device; the previous one stops working. */
  async issueToken(deviceId: string, ip: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    const now = this.clock.now();
    await this.paired.update((cur) => {
      const d = cur.devices[deviceId];
      if (!d) throw notFound("paired device", deviceId);
      return {
        value: {
          version: 1,
          devices: {
            ...cur.devices,
            [deviceId]: { ...d, tokenHash: hash(token), tokenIssuedAt: now, lastSeenAt: now, lastIp: ip },
          },
        },
        result: undefined,
      };
    });
    return token;
  }

  /** The paired device whose current token is `token` (constant-time compare), or undefined. */
  async checkToken(deviceId: string, token: string): Promise<PairedDevice | undefined> {
    const d = await this.getPaired(deviceId);
    return d?.tokenHash && secretEquals(hash(token), d.tokenHash) ? d : undefined;
  }

  private async takePending(id: string): Promise<PendingRequest> {
    const now = this.clock.now();
    return this.pending.update((cur) => {
      const live = Object.values(cur.requests).filter((r) => r.expiresAt > now);
      const req = pick(live, id, (r) => [r.requestId, r.deviceId]);
      if (!req) throw notFound("pending pairing request", id);
      return {
        value: { version: 1, requests: Object.fromEntries(live.filter((r) => r !== req).map((r) => [r.requestId, r])) },
        result: req,
      };
    });
  }
}

function pick<T>(items: readonly T[], id: string, keys: (t: T) => string[]): T | undefined {
  const want = id.trim().toLowerCase();
  const exact = items.find((t) => keys(t).some((k) => k.toLowerCase() === want));
  if (exact || want.length < 8) return exact;
  const prefixed = items.filter((t) => keys(t).some((k) => k.toLowerCase().startsWith(want)));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function notFound(what: string, id: string): HoldfastError {
  return new HoldfastError("HF_NOT_FOUND", `no ${what} "${id.slice(0, 80)}" (see: ${cliHint("devices list")})`);
}
