import path from "node:path";
import { z } from "zod";
import { generateDeviceIdentity, type DeviceIdentity } from "../devices/index.js";
import { HoldfastError } from "../errors/index.js";
import { readFileIfExists, writeFileAtomic, writeJsonAtomic } from "../infra/index.js";

const IdentitySchema = z.strictObject({
  deviceId: z.string().regex(/^[0-9a-f]{64}$/),
  publicKey: z.string().min(40),
  privateKeyPem: z.string().includes("PRIVATE KEY"),
});

/**
 * The node host's files in `<stateDir>/node/` (dir 700, files 600): its Ed25519 device identity
 * (`identity.json`, created on first run) and the device token the gateway issues after pairing
 * (`device-token`).
 */
export class NodeIdentityStore {
  constructor(readonly dir: string) {}

  /** The identity, created on first use. @throws HoldfastError HF_STATE_CORRUPT for a damaged file. */
  async identity(): Promise<DeviceIdentity> {
    const file = path.join(this.dir, "identity.json");
    const text = await readFileIfExists(file);
    if (text !== undefined) {
      const parsed = IdentitySchema.safeParse(safeJson(text));
      if (!parsed.success)
        throw new HoldfastError(
          "HF_STATE_CORRUPT",
          `node identity ${file} is not valid; move it away to create a new identity (the node must then pair again)`,
          { path: file },
        );
      return parsed.data;
    }
    const id = generateDeviceIdentity();
    await writeJsonAtomic(file, id);
    return id;
  }

  /** The stored device token, if the node has paired. */
  async deviceToken(): Promise<string | undefined> {
    return (await readFileIfExists(path.join(this.dir, "device-token")))?.trim() || undefined;
  }

  /** Stores (or, with undefined, forgets) the device token. */
  async setDeviceToken(token: string | undefined): Promise<void> {
    await writeFileAtomic(path.join(this.dir, "device-token"), token ? `${token}\n` : "");
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
