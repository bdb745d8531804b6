/**
 * A real gateway process whose WhatsApp socket factory is the fake of WhatsApp ({@link FakeWhatsApp}),
 * for end-to-end tests (spawned by `spawnWhatsAppGateway` under `node --import tsx`): the composition
 * root, config, state dir, network listener and every stage are the product's; only the sockets
 * Baileys would open to WhatsApp's servers come from the fake, which the test drives over Node's IPC
 * channel (`{id, op, args}` → `{id, result}` or `{id, error}`).
 */
import { startGateway } from "../../src/app/index.js";
import { FakeWhatsApp, type FakeWaMessage } from "./fake-baileys.js";

/** What the test can ask the fake to do. */
export type FakeWhatsAppOp =
  | { readonly op: "scan" }
  | { readonly op: "rotateQr" }
  | { readonly op: "qrExpires" }
  | { readonly op: "userSends"; readonly args: FakeWaMessage }
  | { readonly op: "sent" }
  | { readonly op: "connections" };

const fake = new FakeWhatsApp();
fake.linked = false;

function run(req: FakeWhatsAppOp): unknown {
  switch (req.op) {
    case "scan":
      return fake.scan();
    case "rotateQr":
      return fake.rotateQr();
    case "qrExpires":
      return fake.qrExpires();
    case "userSends":
      return fake.userSends(req.args).key.id;
    case "sent":
      return fake.sent;
    case "connections":
      return fake.sockets.map((s) => s.state);
  }
}

const gateway = await startGateway({ port: 0, whatsappConnector: fake.connector, argv: ["gateway", "--port", "0"] });
process.on("message", (msg: { id: number } & FakeWhatsAppOp) => {
  try {
    process.send?.({ id: msg.id, result: run(msg) ?? null });
  } catch (err) {
    process.send?.({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
process.once("SIGTERM", () => {
  void gateway.stop().then(() => process.exit(0));
});
process.stdout.write(`holdfast gateway listening on ws://127.0.0.1:${gateway.port}\n`);
