import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { RUNNABLE_CHANNELS } from "../../channels/index.js";
import { readPidInfo } from "../../client/index.js";
import { resolvePaths } from "../../config/index.js";
import { errorMessage, HoldfastError } from "../../errors/index.js";
import { cliContext, withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { CHANNEL_CREDENTIAL_KEYS } from "./channel-state.js";
import { registerChannelStatus } from "./channels-status.js";
import { renderChange, updateConfigForIncident, type Change } from "./incident-util.js";
import { cliHint } from "../../infra/index.js";
import { loginChannel, unlinkWhatsAppDevices, whatsappLogin } from "./channels-whatsapp.js";

type Obj = Record<string, unknown>;

/**
 * Removes the credential keys from `channels.<channel>` and all its accounts (or from one account
 * only); returns what was removed (key paths, never values).
 */
export function dropChannelCredentials(
  raw: Obj,
  channel: string,
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

/** `--channel`: one of the channels holdfast runs. @throws HoldfastError HF_CLI_USAGE. */
function parseChannel(v: string): string {
  if (!(RUNNABLE_CHANNELS as readonly string[]).includes(v))
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `--channel must be one of ${RUNNABLE_CHANNELS.join(", ")} (got "${v.slice(0, 40)}")`,
    );
  return v;
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
      note: `still running with the old session (${errorMessage(err)}): stop it (${cliHint("gateway stop")}) and start it again`,
    };
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
  registerChannelStatus(channels, io);
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
    .requiredOption("--channel <channel>", `one of ${RUNNABLE_CHANNELS.join(", ")}`)
    .option("--account <id>", "only this account of the channel")
    .option("--json", "JSON output")
    .action(async (o: { channel: string; account?: string; json?: boolean }) => {
      const channel = parseChannel(o.channel);
      parseAccount(o.account);
      const paths = resolvePaths();
      const changes: Change[] = [];
      await updateConfigForIncident(
        paths.configPath,
        (raw) => {
          const r = dropChannelCredentials(raw, channel, o.account);
          changes.push(...r.changes);
          return r.config;
        },
        "channels logout",
      );
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
