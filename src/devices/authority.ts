import type {
  ConnectParams,
  DeviceAdmission,
  DeviceAdmitRequest,
  DeviceAuthority,
  DeviceProof,
} from "../gateway/index.js";
import { wireRefusal } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { SecurityTrail } from "../trail/index.js";
import { PROOF_FAILURES, verifyDeviceBlock } from "./proof.js";
import type { DeviceRequest, DeviceStore } from "./store.js";

/** Options of {@link DeviceRegistry}. */
export interface DeviceRegistryOptions {
  /** `gateway.nodes.pairing.autoApproveLocal` (default true): direct loopback devices pair without a request. */
  readonly autoApproveLocal: boolean;
  readonly now: () => number;
  readonly log: Logger;
  /** Device pairing requests and automatic approvals are recorded here. */
  readonly trail?: SecurityTrail;
}

/**
 * True for a silent local pairing (reference §3.9 `shouldAllowSilentLocalPairing`): a direct
 * loopback peer (no forwarding headers; the same host through a LAN or tailnet address is remote),
 * `gateway.nodes.pairing.autoApproveLocal` not false, and either no browser `Origin`, or a browser
 * that is the Control UI / WebChat (its origin already passed `gateway.controlUi.allowedOrigins` at
 * the upgrade) and authenticated with the shared token or password.
 */
export function silentLocalPairing(req: DeviceAdmitRequest, autoApproveLocal: boolean): boolean {
  if (!req.client.isLocal || !autoApproveLocal) return false;
  if (req.client.origin === undefined) return true;
  const c = req.params.client;
  const controlUi = c?.mode === "webchat" || c?.id === "openclaw-control-ui";
  return controlUi && (req.authMethod === "token" || req.authMethod === "password");
}

/**
 * Device identity and pairing for the gateway (seeds security-architecture.md "Device Pairing";
 * reference §3.4, §3.9): verifies Ed25519 proofs, checks device tokens, pairs direct loopback
 * devices silently (see {@link silentLocalPairing}) and files pending requests for every other
 * device.
 */
export class DeviceRegistry implements DeviceAuthority {
  constructor(
    private readonly store: DeviceStore,
    private readonly opts: DeviceRegistryOptions,
  ) {}

  verifyProof(params: ConnectParams, nonce: string): DeviceProof {
    const r = verifyDeviceBlock(params, nonce, this.opts.now());
    if (r.ok) return r;
    return {
      ok: false,
      error: wireRefusal(r.code, PROOF_FAILURES[r.code]),
    };
  }

  async checkToken(
    deviceId: string,
    token: string,
  ): Promise<{ role: "operator" | "node"; scopes: readonly string[] } | undefined> {
    const d = await this.store.checkToken(deviceId, token);
    return d ? { role: d.role, scopes: d.scopes } : undefined;
  }

  async admit(req: DeviceAdmitRequest): Promise<DeviceAdmission> {
    const paired = await this.store.getPaired(req.deviceId);
    const local = silentLocalPairing(req, this.opts.autoApproveLocal);
    if (paired && paired.publicKey === req.publicKey && paired.role === req.role) {
      if (local && paired.scopes.join(",") !== req.scopes.join(",")) await this.store.pairLocal(requestOf(req));
      return { status: "paired", deviceToken: await this.store.issueToken(req.deviceId, req.client.ip) };
    }
    const request = requestOf(req);
    if (local) {
      await this.store.pairLocal(request);
      this.opts.log.info({ deviceId: req.deviceId, role: req.role }, "device paired (direct loopback auto-approval)");
      void this.opts.trail?.record({
        type: "device.paired",
        actor: { kind: "system" },
        details: { deviceId: req.deviceId, role: req.role, how: "loopback auto-approval" },
      });
      return { status: "paired", deviceToken: await this.store.issueToken(req.deviceId, req.client.ip) };
    }
    const pending = await this.store.request(request);
    this.opts.log.info(
      { deviceId: req.deviceId, requestId: pending.requestId, ip: req.client.ip, role: req.role },
      "device pairing requested",
    );
    void this.opts.trail?.record({
      type: "device.pairing_requested",
      actor: { kind: "network", ip: req.client.ip },
      details: { deviceId: req.deviceId, requestId: pending.requestId, role: req.role },
    });
    return { status: "pending", requestId: pending.requestId, expiresAt: pending.expiresAt };
  }
}

function requestOf(req: DeviceAdmitRequest): DeviceRequest {
  const c = req.params.client;
  return {
    deviceId: req.deviceId,
    publicKey: req.publicKey,
    role: req.role,
    scopes: [...req.scopes],
    remoteIp: req.client.ip,
    ...(c?.id ? { clientId: c.id } : {}),
    ...(c?.displayName ? { displayName: c.displayName } : {}),
    ...(c?.platform ? { platform: c.platform } : {}),
    ...(req.role === "node" && req.params.commands?.length ? { commands: [...req.params.commands] } : {}),
  };
}
