import { finding, type AuditCheck } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";
import { readMeta } from "../meta.js";
import { PLAINTEXT_STORES } from "../scope.js";

/**
 * `storage.encryption`: the state dir's encryption at rest. `info` when it is on (naming what it does
 * not cover) or off; `warn` when a migration was interrupted, or when `storage.encryption.key` is set
 * while encryption is off (a key that protects nothing). Source: issue "Encryption at rest".
 */
export const encryptionCheck: AuditCheck = {
  id: "storage.encryption",
  area: "disk",
  async run(ctx) {
    const meta = await readMeta(ctx.paths.stateDir).catch(() => undefined);
    const keySet = ctx.config.storage?.encryption?.key !== undefined;
    const notCovered = PLAINTEXT_STORES.map((s) => s.store).join(", ");
    if (!meta)
      return [
        finding({
          checkId: keySet ? "storage.encryption.key_unused" : "storage.encryption.off",
          severity: keySet ? "warn" : "info",
          title: keySet ? "storage.encryption.key is set but encryption at rest is off" : "Encryption at rest is off",
          detail: `Transcripts, pairing, device and approval stores and channel credentials are stored in plaintext (mode 600).`,
          remediation: `Stop the gateway and run ${cliHint("encryption enable")}.`,
        }),
      ];
    if (meta.state !== "on")
      return [
        finding({
          checkId: "storage.encryption.interrupted",
          severity: "warn",
          title: `Encryption at rest: an interrupted migration (${meta.state}) is pending`,
          detail: `Every file opens with the old or the new key; the pass is not finished.`,
          remediation: `Run the same ${cliHint("encryption")} command again, or start the gateway.`,
        }),
      ];
    return [
      finding({
        checkId: "storage.encryption.on",
        severity: "info",
        title: `Encryption at rest is on (key ${meta.kek.id})`,
        detail: `AES-256-GCM with per-file data keys. Not covered: ${notCovered}.`,
        remediation: `See ${cliHint("encryption status")}.`,
      }),
    ];
  },
};

/** The checks of encryption at rest. */
export const cryptAuditChecks: readonly AuditCheck[] = [encryptionCheck];
