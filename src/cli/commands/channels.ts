import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { readPidInfo } from "../../client/index.js";
import { POLICY_CHANNEL_IDS, resolvePaths, type PolicyChannelId } from "../../config/index.js";
import { errorMessage, HoldfastError } from "../../errors/index.js";
import { cliContext, withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { CHANNEL_CREDENTIAL_KEYS, configuredAccounts, liveChannels, stateOf } from "./channel-state.js";
import { renderChange, updateConfigForIncident, type Change } from "./incident-util.js";
import { loginChannel, unlinkWhatsAppDevices, whatsappLogin } from "./channels-whatsapp.js";

type Obj = Record<string, unknown>;

/**
 * Removes the credential keys from `channels.<channel>` and all its accounts (or from one account
 * only); returns what was removed (key paths, never values).
 */
export function dropChannelCredentials(
  raw: Obj,
  channel: PolicyChannelId,
  account: string | undefined,
): { config: Obj; changes: Change[] } {
  const config = structuredClone(raw);
  const changes: Change[] = [];
  const block = (config.channels as Obj | undefined)?.[channel] as Obj | undefined;
  const accounts = Object.entries((block?.accounts as Record<string, Obj> | undefined) ?? {}).filter(
    ([id]) => account === undefined || id === account,
  );
  const holders: [string, Obj | undefined][] = [
    ...(account === undefined ? [[`channels.${channel}`, block] as [string, Obj | undefined]] : []),
    ...accounts.map(([id, a]) => [`channels.${channel}.accounts.${id}`, a] as [string, Obj | undefined]),
  ];
  for (const [at, holder] of holders) {
    for (const key of CHANNEL_CREDENTIAL_KEYS) {
      if (holder?.[key] === undefined) continue;
      const v = holder[key];
      const note =
        key === "tokenFile"
          ? `the file ${String(v)} itself was not touched: delete it or revoke the token it holds`
          : typeof v === "string" && v.startsWith("${")
            ? "it came from the environment: revoke it at the provider too"
            : "removed";
      changes.push({ what: `${at}.${key}`, note });
      delete holder[key];
    }
  }
  return { config, changes };
}

function parseAccount(account: string | undefined): void {
  if (account !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(account))
    throw new HoldfastError("HF_CLI_USAGE", "--account must be a non-blank account id (letters, digits, - and _)");
}

function parseChannel(v: string): PolicyChannelId {
  if (!(POLICY_CHANNEL_IDS as readonly string[]).includes(v))
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `--channel must be one of ${POLICY_CHANNEL_IDS.join(", ")} (got "${v.slice(0, 40)}")`,
    );
  return v as PolicyChannelId;
}

/** Stops the accounts in the running gateway (`channels.logout`, operator.admin); a note on what happened. */
async function logoutRunning(channel: string, account: string | undefined): Promise<Change> {
  try {
    const ctx = await cliContext();
    const res = (await withLocalGateway(
      ["operator.admin"],
      (c) => c.request("channels.logout", { channel, ...(account !== undefined ? { accountId: account } : {}) }),
      ctx,
    )) as { loggedOut: { channel: string; accountId: string }[] };
    const ids = res.loggedOut.map((a) => `${a.channel}/${a.accountId}`);
    return {
      what: "gateway",
      note: ids.length
        ? `stopped ${ids.join(", ")} in the running gateway (it stays off until the gateway restarts)`
        : `the running gateway has no ${channel} account${account !== undefined ? ` "${account}"` : ""} running`,
    };
  } catch (err) {
    return {
      what: "gateway",
      note: `still running with the old session (${errorMessage(err)}): stop it (holdfast gateway stop) and start it again`,
    };
  }
}

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/**
 * `holdfast channels status [--json]`: every configured channel account with its state as the
 * running gateway reports it (running, connecting, retrying, failed, stopped), its mode and bot name,
 * and its last error (catalogue code and a secret-free text); without a gateway, what the config says.
 */
async function channelsStatus(io: CliIo, json: boolean): Promise<void> {
  const ctx = await cliContext();
  const live = await liveChannels(ctx);
  const accounts = configuredAccounts(ctx.config).map((a) => ({ ...stateOf(a, live), configPath: a.configPath }));
  const extra = (live.accounts ?? []).filter(
    (l) => !accounts.some((a) => a.channel === l.channel && a.accountId === l.accountId),
  );
  const all = [...accounts, ...extra];
  if (json)
    return printJson(io, {
      gateway: {
        running: live.gatewayRunning,
        ...(live.pid ? { pid: live.pid } : {}),
        ...(live.error ? { error: live.error } : {}),
      },
      accounts: all,
    });
  io.out(
    live.gatewayRunning
      ? `gateway: running (pid ${live.pid})${live.error ? `; could not ask it: ${live.error}` : ""}`
      : "gateway: not running (holdfast gateway starts it)",
  );
  if (all.length === 0) return io.out("no channels are configured (see docs/channels.md)");
  const now = ctx.clock.now();
  for (const a of all) {
    const bits = [
      `${a.channel}/${a.accountId}`,
      a.state,
      ...(a.mode ? [a.mode] : []),
      ...(a.botUsername ? [`bot ${a.botUsername}`] : []),
      ...(a.errorCode ? [a.errorCode] : []),
    ];
    io.out(bits.join("  "));
    if (a.lastError) io.out(`  last error${a.lastErrorAt ? ` (${ago(a.lastErrorAt, now)})` : ""}: ${a.lastError}`);
  }
}

/**
 * `holdfast channels status [--json]` and `holdfast channels logout --channel <c> [--account <id>]`
 * (seeds security-reference.md "Incident Response"; reference §10.3). Logout drops the channel's
 * credentials — its token keys in the config and everything stored under
 * `<stateDir>/credentials/<channel>/` (or `.../<channel>/<account>/`) — and stops the accounts in a
 * running gateway. Access lists and pairing approvals are kept. The config edit works without the
 * gateway's environment.
 */
export function registerChannels(program: Command, io: CliIo): void {
  const channels = program.command("channels").description("channel accounts: their state, and logging out");
  channels
    .command("status")
    .description("show each channel account's state and last error (from the running gateway)")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) => channelsStatus(io, o.json === true));
  channels
    .command("login")
    .description("link a WhatsApp device: shows the pairing QR code in the terminal")
    .requiredOption("--channel <channel>", "whatsapp")
    .option("--account <id>", "the account to link (default: default)")
    .option("--json", "JSON output (each QR payload, then the result)")
    .action(async (o: { channel: string; account?: string; json?: boolean }) => {
      loginChannel(o.channel);
      parseAccount(o.account);
      await whatsappLogin(io, o);
    });
  channels
    .command("logout")
    .description("drop a channel's stored credentials (config token and files under <stateDir>/credentials/<channel>/)")
    .requiredOption("--channel <channel>", `one of ${POLICY_CHANNEL_IDS.join(", ")}`)
    .option("--account <id>", "only this account of the channel")
    .option("--json", "JSON output")
    .action(async (o: { channel: string; account?: string; json?: boolean }) => {
      const channel = parseChannel(o.channel);
      parseAccount(o.account);
      const paths = resolvePaths();
      const changes: Change[] = [];
      await updateConfigForIncident(paths.configPath, (raw) => {
        const r = dropChannelCredentials(raw, channel, o.account);
        changes.push(...r.changes);
        return r.config;
      });
      const running = (await readPidInfo(paths.pidFile)) !== undefined;
      // WhatsApp: stop the gateway's session first, then unlink the device before its state is deleted.
      if (channel === "whatsapp") {
        if (running) changes.push(await logoutRunning(channel, o.account));
        changes.push(...(await unlinkWhatsAppDevices(await cliContext(), o.account)));
      }
      const dir = path.join(paths.credentialsDir, channel, ...(o.account !== undefined ? [o.account] : []));
      if (
        await fsp.stat(dir).then(
          () => true,
          () => false,
        )
      ) {
        await fsp.rm(dir, { recursive: true, force: true });
        changes.push({ what: dir, note: "deleted stored credentials" });
      }
      if (running && channel !== "whatsapp") changes.push(await logoutRunning(channel, o.account));
      if (o.json)
        return printJson(io, { channel, ...(o.account !== undefined ? { account: o.account } : {}), changes });
      io.out(
        changes.length
          ? `logged out ${channel}${o.account !== undefined ? ` (account ${o.account})` : ""}:`
          : `no stored credentials for ${channel}`,
      );
      for (const c of changes) io.out(`  ${renderChange(c)}`);
    });
}
