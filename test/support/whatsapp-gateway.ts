import path from "node:path";
import type { FakeWaSent } from "./fake-baileys.js";
import { REPO_ROOT, spawnGateway, type GatewayProcess } from "./gateway-process.js";
import type { FakeWhatsAppOp } from "./whatsapp-gateway-main.js";

const MAIN = path.join(REPO_ROOT, "test/support/whatsapp-gateway-main.ts");

/** A gateway process on the fake of WhatsApp, and the fake's remote control. */
export interface WhatsAppGateway {
  readonly gw: GatewayProcess;
  /** The phone scans the QR of the newest linking socket. */
  scan(): Promise<void>;
  /** WhatsApp sends the next pairing code on the linking socket. */
  rotateQr(): Promise<void>;
  /** The linking socket's QR runs out (Baileys closes it with 408). */
  qrExpires(): Promise<void>;
  /** A user writes; resolves with the message id. */
  userSends(m: Extract<FakeWhatsAppOp, { op: "userSends" }>["args"]): Promise<string>;
  /** Every message the bot sent so far. */
  sent(): Promise<FakeWaSent[]>;
  /** The state of every socket the gateway opened, oldest first. */
  connections(): Promise<string[]>;
}

/**
 * Spawns a real gateway (see whatsapp-gateway-main.ts) whose WhatsApp sockets come from a fake of
 * WhatsApp in that process, with no device linked yet; the fake is driven over IPC.
 */
export async function spawnWhatsAppGateway(
  stateDir: string,
  env: Record<string, string> = {},
): Promise<WhatsAppGateway> {
  const gw = await spawnGateway(stateDir, { bin: MAIN, node: ["--import", "tsx"], ipc: true, env, timeoutMs: 60_000 });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  gw.proc.on("message", (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.result);
  });
  const call = <T>(req: FakeWhatsAppOp): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      gw.proc.send({ id, ...req });
    });
  return {
    gw,
    scan: () => call({ op: "scan" }),
    rotateQr: () => call({ op: "rotateQr" }),
    qrExpires: () => call({ op: "qrExpires" }),
    userSends: (args) => call({ op: "userSends", args }),
    sent: () => call({ op: "sent" }),
    connections: () => call({ op: "connections" }),
  };
}
