import { promises as fsp } from "node:fs";
import { renderUnicodeCompact } from "uqr";
import type { AppContext } from "../../app/index.js";
import {
  loadWhatsAppLinking,
  type UnlinkOutcome,
  type WebLoginStart,
  type WebLoginWait,
} from "../../channels/index.js";
import { readPidInfo } from "../../client/index.js";
import { HoldfastError } from "../../errors/index.js";
import { normalizeAccountId } from "../../routing/index.js";
import { cliContext, withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import type { Change } from "./incident-util.js";
import { cliHint } from "../../infra/index.js";

const UNLINK_NOTES: Record<UnlinkOutcome, string> = {
  unlinked: "unlinked from WhatsApp (the phone's Linked devices no longer lists it)",
  not_linked: "no linked device was stored",
  already_logged_out: "WhatsApp had already logged this device out",
  unreachable:
    "could not reach WhatsApp to unlink: remove the device on the phone (Settings → Linked devices); the local session is deleted anyway",
};

/** How often the CLI asks a running gateway whether the QR was scanned (and for a rotated QR), ms. */
const GATEWAY_POLL_MS = 3_000;

type LoginFlags = { account?: string; json?: boolean };

/** Prints one pairing QR (JSON: `{qr}`). */
function showQr(io: CliIo, o: LoginFlags, qr: string): void {
  if (o.json) return printJson(io, { qr });
  io.out("");
  for (const line of renderUnicodeCompact(qr, { border: 2 }).split("\n")) io.out(line);
  io.out("(a new code appears when this one expires)");
}

/**
 * `holdfast channels login --channel whatsapp [--account <id>]`: links this machine as a WhatsApp
 * device. Prints each pairing QR (WhatsApp rotates it) as terminal blocks, saves the multi-device auth
 * state in `<stateDir>/credentials/whatsapp/<accountId>/` (700, files 600, written atomically) and
 * says which number was linked. An account that is already linked is left alone. While a gateway
 * runs, the linking runs in the gateway (`web.login.start` / `web.login.wait`, operator.admin) on its
 * own socket, so two sockets never fight over one account, and the account starts receiving at once.
 * @throws HoldfastError HF_CHANNEL_AUTH (QR not scanned in time, refused), HF_CHANNEL_NETWORK, or the
 *   gateway client's errors (HF_GATEWAY_*) when the running gateway does not answer.
 */
export async function whatsappLogin(io: CliIo, o: LoginFlags): Promise<void> {
  const ctx = await cliContext();
  const accountId = normalizeAccountId(o.account ?? "default");
  const running = (await readPidInfo(ctx.paths.pidFile)) !== undefined;
  if (!o.json) {
    io.out(
      `Link holdfast as a WhatsApp device (account ${accountId}${running ? ", through the running gateway" : ""}):`,
    );
    io.out("on your phone open WhatsApp → Settings → Linked devices → Link a device, and scan:");
  }
  if (running) return loginThroughGateway(io, o, accountId, ctx);
  const wa = await loadWhatsAppLinking();
  const dir = wa.whatsappAuthDir(ctx.paths.credentialsDir, accountId);
  const res = await wa.linkWhatsApp({
    dir,
    accountId,
    connector: wa.baileysConnector,
    log: ctx.log,
    onQr: (qr) => showQr(io, o, qr),
  });
  if (o.json) return printJson(io, { channel: "whatsapp", accountId, ...res, authDir: dir });
  if (res.alreadyLinked)
    return io.out(
      `whatsapp account "${accountId}" is already linked (${dir}); to link another device first run: ${cliHint(`channels logout --channel whatsapp${accountId === "default" ? "" : ` --account ${accountId}`}`)}`,
    );
  io.out(`linked WhatsApp ${res.number ?? ""} as account "${accountId}"; its session is in ${dir}`);
  if (!ctx.config.channels?.whatsapp)
    io.out('add channels.whatsapp to the config (e.g. { channels: { whatsapp: { allowFrom: ["+15551234567"] } } })');
}

/** The linking in the running gateway: its QR codes printed here, polled until scanned or failed. */
async function loginThroughGateway(io: CliIo, o: LoginFlags, accountId: string, ctx: AppContext): Promise<void> {
  const end = await withLocalGateway(
    ["operator.admin"],
    async (c) => {
      const start = (await c.request("web.login.start", { accountId })) as WebLoginStart;
      if (!start.qr) return { accountId, connected: true, message: start.message, alreadyLinked: true };
      let shown = start.qr;
      showQr(io, o, shown);
      for (;;) {
        const w = (await c.request("web.login.wait", { accountId, timeoutMs: GATEWAY_POLL_MS })) as WebLoginWait;
        if (!w.pending) return w;
        if (w.qr && w.qr !== shown) showQr(io, o, (shown = w.qr));
      }
    },
    ctx,
  );
  if (o.json) printJson(io, { channel: "whatsapp", accountId, connected: end.connected, message: end.message });
  if (!end.connected) throw new HoldfastError("HF_CHANNEL_AUTH", end.message);
  if (!o.json) io.out(end.message);
}

/**
 * The WhatsApp part of `channels logout`: unlinks each stored device from WhatsApp (so the phone drops
 * it) before `channels logout` deletes `<stateDir>/credentials/whatsapp/…`. Runs after the running
 * gateway stopped its accounts, so the two connections do not fight over the session.
 */
export async function unlinkWhatsAppDevices(ctx: AppContext, account: string | undefined): Promise<Change[]> {
  const wa = await loadWhatsAppLinking();
  const root = wa.whatsappAuthDir(ctx.paths.credentialsDir, "");
  const ids =
    account !== undefined
      ? [normalizeAccountId(account)]
      : await fsp.readdir(root).then(
          (names) => names,
          () => [],
        );
  const changes: Change[] = [];
  for (const id of ids) {
    const dir = wa.whatsappAuthDir(ctx.paths.credentialsDir, id);
    if (!(await wa.isLinked(dir))) continue;
    const outcome = await wa.unlinkWhatsApp({ dir, connector: wa.baileysConnector, log: ctx.log });
    changes.push({ what: `whatsapp/${id}`, note: UNLINK_NOTES[outcome] });
  }
  return changes;
}

/** `--channel` of `channels login`: only WhatsApp links a device this way. */
export function loginChannel(v: string): "whatsapp" {
  if (v !== "whatsapp")
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `channels login links a WhatsApp device (--channel whatsapp); ${v.slice(0, 40)} uses a token in the config (see docs/channels.md)`,
    );
  return v;
}
