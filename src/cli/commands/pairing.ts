import { promises as fsp } from "node:fs";
import type { Command } from "commander";
import { PairingStore, pairingKey, type PairingRequest } from "../../access/index.js";
import type { AppContext } from "../../app/index.js";
import { assertNotifySupported, notifyPairingApproved } from "../../channels/index.js";
import { POLICY_CHANNEL_IDS } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { cliContext } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { cliHint } from "../../infra/index.js";

/** A channel id given on the command line, checked against the channels holdfast knows. */
function channelArg(raw: string): string {
  const ch = pairingKey(raw, "channel");
  if (!(POLICY_CHANNEL_IDS as readonly string[]).includes(ch))
    throw new HoldfastError("HF_PAIRING_INVALID", `unknown channel "${raw}" (known: ${POLICY_CHANNEL_IDS.join(", ")})`);
  return ch;
}

async function storeFor(channel: string): Promise<{ ctx: AppContext; store: PairingStore }> {
  const ctx = await cliContext();
  return { ctx, store: new PairingStore(ctx.paths.credentialsDir, channel, ctx.clock) };
}

/** Channels with a pairing or allow file in the credentials dir. */
async function channelsOnDisk(credentialsDir: string): Promise<string[]> {
  const files = await fsp.readdir(credentialsDir).catch(() => [] as string[]);
  return POLICY_CHANNEL_IDS.filter((ch) =>
    files.some((f) => f === `${ch}-pairing.json` || (f.startsWith(`${ch}-`) && f.endsWith("-allowFrom.json"))),
  );
}

function describe(r: PairingRequest, now: number): string {
  const left = Math.max(0, Math.round((Date.parse(r.createdAt) + 3_600_000 - now) / 60_000));
  return `${r.code}  sender ${r.id}${r.meta.name ? ` (${r.meta.name})` : ""}  account ${r.meta.accountId}  expires in ${left} min`;
}

/**
 * `holdfast pairing list [channel] [--json]`, `approve <channel> <code> [--account] [--notify]`,
 * `reject <channel> <code>`, `revoke <channel> <senderId> [--account]`. They edit the pairing and
 * allow stores in `<stateDir>/credentials/` directly (locked, atomic), so they work whether the gateway
 * runs or not; a running gateway sees the change on the next message. Source: reference §4.3.
 */
export function registerPairing(program: Command, io: CliIo): void {
  const pairing = program.command("pairing").description("approve or refuse who may DM the bot (DM pairing)");
  pairing
    .command("list [channel]")
    .description("list pending pairing requests (codes expire after 1 hour)")
    .option("--channel <channel>", "same as the positional channel")
    .option("--account <id>", "only this channel account")
    .option("--json", "JSON output")
    .action(async (pos: string | undefined, o: { channel?: string; account?: string; json?: boolean }) => {
      const ctx = await cliContext();
      const raw = pos ?? o.channel;
      const channels = raw ? [channelArg(raw)] : await channelsOnDisk(ctx.paths.credentialsDir);
      const out = [];
      for (const channel of channels)
        out.push({
          channel,
          requests: await new PairingStore(ctx.paths.credentialsDir, channel, ctx.clock).list(o.account),
        });
      if (o.json) return printJson(io, raw ? out[0] : { channels: out });
      if (out.every((c) => c.requests.length === 0)) return io.out("no pending pairing requests");
      for (const c of out) for (const r of c.requests) io.out(`${c.channel}  ${describe(r, ctx.clock.now())}`);
    });
  pairing
    .command("approve <channel> <code>")
    .description("let the sender who got <code> DM the bot (DM access only, never groups)")
    .option("--account <id>", "only match requests of this channel account")
    .option("--notify", "tell the sender they were approved")
    .action(async (ch: string, code: string, o: { account?: string; notify?: boolean }) => {
      const channel = channelArg(ch);
      if (o.notify) await assertNotifySupported(channel);
      const { ctx, store } = await storeFor(channel);
      const req = await store.approve(code, o.account);
      await ctx.trail.record({
        type: "pairing.approved",
        actor: { kind: "cli", command: "pairing approve" },
        subject: { channel, id: req.id },
        details: { channel, accountId: req.meta.accountId },
      });
      io.out(
        `Approved ${channel} sender ${req.id}${req.meta.name ? ` (${req.meta.name})` : ""} (account ${req.meta.accountId}).`,
      );
      if (!(ctx.config.commands?.ownerAllowFrom ?? []).length) {
        io.out(
          `To make this sender an owner (owner-only chat commands): ${cliHint("config set commands.ownerAllowFrom")} '["${channel}:${req.id}"]'`,
        );
      }
      if (o.notify) {
        await notifyPairingApproved(ctx, { channel, accountId: req.meta.accountId, senderId: req.id }, ctx.clock);
        io.out("Sent the approval notice.");
      }
    });
  pairing
    .command("reject <channel> <code>")
    .description("drop a pending request (the sender may ask again later)")
    .action(async (ch: string, code: string) => {
      const channel = channelArg(ch);
      const { ctx, store } = await storeFor(channel);
      const req = await store.reject(code);
      await ctx.trail.record({
        type: "pairing.rejected",
        actor: { kind: "cli", command: "pairing reject" },
        subject: { channel, id: req.id },
        details: { channel, accountId: req.meta.accountId },
      });
      io.out(`Rejected the ${channel} pairing request of sender ${req.id}.`);
    });
  pairing
    .command("revoke <channel> <senderId>")
    .description("remove an approved sender from the DM allow store")
    .option("--account <id>", "channel account", "default")
    .action(async (ch: string, senderId: string, o: { account: string }) => {
      const channel = channelArg(ch);
      const { ctx, store } = await storeFor(channel);
      const removed = await store.allow.remove(o.account, senderId);
      if (removed)
        await ctx.trail.record({
          type: "pairing.revoked",
          actor: { kind: "cli", command: "pairing revoke" },
          subject: { channel, id: senderId },
          details: { channel, accountId: o.account },
        });
      if (!removed)
        throw new HoldfastError(
          "HF_NOT_FOUND",
          `${channel} sender ${senderId} is not in the allow store of account ${o.account} (senders in config allowFrom are changed with ${cliHint("config")})`,
        );
      io.out(`Revoked ${channel} sender ${senderId} (account ${o.account}).`);
    });
}
