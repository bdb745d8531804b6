import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import type { Command } from "commander";
import { POLICY_CHANNEL_IDS, resolvePaths } from "../../config/index.js";
import { DeviceStore } from "../../devices/index.js";
import { errorMessage } from "../../errors/index.js";
import { cliHint, systemClock } from "../../infra/index.js";
import { printJson, type CliIo } from "../io.js";
import { cliTrail } from "../trail.js";
import { renderChange, stopRunningGateway, updateConfigForIncident, type Change } from "./incident-util.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** A setter of `obj[key] = value` (when different) that records each change, at config path `at`, in `changes`. */
function recorder(changes: Change[]): (obj: Obj, key: string, value: unknown, at: string) => void {
  return (obj, key, value, at) => {
    if (obj[key] === value) return;
    changes.push({ what: `${at}.${key}`, from: obj[key], to: value });
    obj[key] = value;
  };
}

function child(obj: Obj, key: string): Obj {
  if (!isObj(obj[key])) obj[key] = {};
  return obj[key] as Obj;
}

/**
 * The lockdown edit of a raw config (seeds security-architecture.md "Immediate Containment"):
 * bind loopback and Tailscale off; token auth with `newToken`; every channel's and account's
 * dmPolicy (and legacy `dm.policy`) and groupPolicy `disabled`; elevated tools disabled globally
 * and per agent; webhooks (`hooks`) disabled with a new token `newHooksToken` (the old one may have
 * leaked with the gateway's). Returns the new config and what changed (no token value is ever in a change).
 */
export function lockdownConfig(
  input: Obj,
  newToken: string,
  newHooksToken: string = randomBytes(32).toString("hex"),
): { config: Obj; changes: Change[] } {
  const config = structuredClone(input);
  const changes: Change[] = [];
  const set = recorder(changes);
  const gw = child(config, "gateway");
  set(gw, "bind", "loopback", "gateway");
  if (isObj(gw.tailscale) && gw.tailscale.mode !== undefined) set(gw.tailscale, "mode", "off", "gateway.tailscale");
  const auth = child(gw, "auth");
  set(auth, "mode", "token", "gateway.auth");
  changes.push({
    what: "gateway.auth.token",
    note: `rotated: a new 32-byte token is stored in the config (show it with: ${cliHint("gateway token")})`,
  });
  auth.token = newToken;
  const channels = isObj(config.channels) ? config.channels : {};
  for (const ch of POLICY_CHANNEL_IDS) {
    const block = channels[ch];
    if (!isObj(block)) continue;
    const holders: [string, Obj][] = [[`channels.${ch}`, block]];
    if (isObj(block.accounts))
      for (const [id, a] of Object.entries(block.accounts))
        if (isObj(a)) holders.push([`channels.${ch}.accounts.${id}`, a]);
    for (const [at, h] of holders) {
      set(h, "dmPolicy", "disabled", at);
      if (isObj(h.dm) && h.dm.policy !== undefined) set(h.dm, "policy", "disabled", `${at}.dm`);
      set(h, "groupPolicy", "disabled", at);
    }
  }
  set(child(child(config, "tools"), "elevated"), "enabled", false, "tools.elevated");
  if (isObj(config.hooks)) {
    set(config.hooks, "enabled", false, "hooks");
    if (isObj(config.hooks.gmail) && config.hooks.gmail.enabled === true)
      set(config.hooks.gmail, "enabled", false, "hooks.gmail");
    config.hooks.token = newHooksToken;
    changes.push({ what: "hooks.token", note: "rotated: a new 32-byte token is stored in the config" });
  }
  const agents = isObj(config.agents) ? config.agents : {};
  const perAgent: [string, unknown][] = [
    ...(Array.isArray(agents.list) ? agents.list.map((a, i) => [`agents.list.${i}`, a] as [string, unknown]) : []),
    ...(isObj(agents.entries)
      ? Object.entries(agents.entries).map(([id, a]) => [`agents.entries.${id}`, a] as [string, unknown])
      : []),
  ];
  for (const [at, a] of perAgent) {
    if (isObj(a) && isObj(a.tools) && isObj(a.tools.elevated))
      set(a.tools.elevated, "enabled", false, `${at}.tools.elevated`);
  }
  return { config, changes };
}

/**
 * `holdfast lockdown`: one command for containment. Edits the config ({@link lockdownConfig}),
 * removes the generated token file, revokes every paired device and drops pending requests, stops
 * the running gateway (its old bind and token stay live until it exits), and prints what changed.
 * It does not load the config through the environment, so it works from any shell.
 */
export function registerLockdown(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("lockdown")
    .description(
      "emergency containment: loopback only, DMs, groups and webhooks disabled, elevated off, new gateway and hooks tokens, devices revoked, gateway stopped",
    )
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const paths = resolvePaths();
      const changes: Change[] = [];
      await updateConfigForIncident(
        paths.configPath,
        (raw) => {
          const r = lockdownConfig(raw, randomBytes(32).toString("hex"));
          changes.push(...r.changes);
          return r.config;
        },
        "lockdown",
      );
      if (process.env.HOLDFAST_GATEWAY_TOKEN !== undefined || process.env.HOLDFAST_GATEWAY_PASSWORD !== undefined) {
        changes.push({
          what: "environment",
          note: "HOLDFAST_GATEWAY_TOKEN/PASSWORD no longer apply (the config token wins); remove them where the gateway is started",
        });
      }
      if (
        await fsp.rm(paths.generatedTokenFile).then(
          () => true,
          () => false,
        )
      )
        changes.push({ what: paths.generatedTokenFile, note: "removed the old generated token" });
      const devices = new DeviceStore(paths.devicesDir, systemClock);
      for (const d of await devices.listPaired())
        changes.push({ what: `device ${(await devices.revoke(d.deviceId)).deviceId}`, note: "revoked" });
      for (const r of await devices.listPending())
        changes.push({ what: `pairing request ${(await devices.reject(r.requestId)).requestId}`, note: "dropped" });
      try {
        const stopped = await stopRunningGateway(paths.pidFile);
        if (stopped)
          changes.push({
            what: "gateway",
            note: `stopped (pid ${stopped.pid}); start it again with: ${cliHint("gateway")}`,
          });
      } catch (err) {
        changes.push({ what: "gateway", note: `NOT stopped: ${errorMessage(err)}` });
        setExit(1);
      }
      await cliTrail().record({
        type: "lockdown",
        actor: { kind: "cli", command: "lockdown" },
        details: { changes: changes.map((c) => c.what) },
      });
      if (o.json) return printJson(io, { changes });
      io.out(`lockdown applied to ${paths.configPath}:`);
      for (const c of changes) io.out(`  ${renderChange(c)}`);
    });
}
