import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { VERSION, type AppContext } from "../../app/index.js";
import { readPidInfo } from "../../client/index.js";
import { POLICY_CHANNEL_IDS } from "../../config/index.js";
import { DeviceStore } from "../../devices/index.js";
import { effectiveMdnsMode } from "../../discovery/index.js";
import { errorMessage } from "../../errors/index.js";
import { configuredCredentials, exposureInput, planExposure } from "../../gateway/index.js";
import { listSecretSlots } from "../../secrets/index.js";
import { normalizeAccountId } from "../../routing/index.js";
import { openStateStore } from "../../store/index.js";
import { hookSettings } from "../../hooks/index.js";
import { cliContext, withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { liveChannels, stateOf } from "./channel-state.js";

type Doc = Record<string, unknown>;

/** The gateway part: running process, bind, auth mode and credential sources (never values). */
async function gatewayStatus(ctx: AppContext): Promise<Doc> {
  const cfg = ctx.config.gateway ?? {};
  const running = await readPidInfo(ctx.paths.pidFile);
  const creds = configuredCredentials(ctx);
  let check: Doc;
  try {
    const plan = planExposure(exposureInput(ctx));
    check = { ok: true, authMode: plan.authMode, hosts: plan.hosts, loopbackOnly: plan.loopbackOnly };
  } catch (err) {
    check = { ok: false, error: errorMessage(err) };
  }
  return {
    running: running
      ? {
          pid: running.pid,
          port: running.port,
          hosts: running.hosts,
          tls: running.tls === true,
          ...(running.tlsFingerprint ? { tlsFingerprint: running.tlsFingerprint } : {}),
        }
      : false,
    bind: cfg.bind ?? "loopback",
    ...(cfg.customBindHost ? { customBindHost: cfg.customBindHost } : {}),
    port: cfg.port ?? 18789,
    auth: {
      mode: cfg.auth?.mode ?? (creds.password ? "password" : "token"),
      token: creds.token?.source ?? (existsSync(ctx.paths.generatedTokenFile) ? "generated token file" : "none"),
      password: creds.password?.source ?? "none",
      allowTailscale: cfg.auth?.allowTailscale === true,
    },
    trustedProxies: cfg.trustedProxies ?? [],
    tls: { enabled: cfg.tls?.enabled === true },
    tailscale: { mode: cfg.tailscale?.mode ?? "off" },
    controlUi: { allowedOrigins: cfg.controlUi?.allowedOrigins ?? [] },
    startupCheck: check,
  };
}

/**
 * Per channel: enabled, DM/group policy, allowlist sizes, which credentials exist (paths only), and —
 * per account — the state the running gateway reports (`running` is true only for an account the
 * gateway says is connected; see `holdfast channels status`).
 */
async function channelStatus(ctx: AppContext): Promise<Doc> {
  const live = await liveChannels(ctx);
  const runtime = (channel: string, accountId: string) => {
    const a = stateOf({ channel, accountId, configPath: "", enabled: true }, live);
    return {
      state:
        ctx.config.channels?.[channel as (typeof POLICY_CHANNEL_IDS)[number]]?.enabled === false ? "disabled" : a.state,
      running: a.state === "running",
      ...(a.errorCode ? { errorCode: a.errorCode } : {}),
      ...(a.lastError ? { lastError: a.lastError } : {}),
    };
  };
  const slots = listSecretSlots(ctx.config).map((s) => s.path);
  const out: Doc = {};
  for (const ch of POLICY_CHANNEL_IDS) {
    const block = ctx.config.channels?.[ch];
    const stored = existsSync(path.join(ctx.paths.credentialsDir, ch));
    if (!block && !stored) continue;
    const describe = (b: NonNullable<typeof block> | undefined, at: string) => ({
      enabled: b?.enabled !== false,
      dmPolicy: b?.dmPolicy ?? "pairing",
      groupPolicy: b?.groupPolicy ?? ctx.config.channels?.defaults?.groupPolicy ?? "allowlist",
      allowFrom: b?.allowFrom?.length ?? 0,
      groupAllowFrom: b?.groupAllowFrom?.length ?? 0,
      credentials: slots
        .filter((p) => p.startsWith(`${at}.`) && p.split(".").length === at.split(".").length + 1)
        .map((p) => p.slice(at.length + 1)),
    });
    const accounts = Object.fromEntries(
      Object.entries(block?.accounts ?? {}).map(([id, a]) => [
        id,
        { ...describe(a, `channels.${ch}.accounts.${id}`), ...runtime(ch, normalizeAccountId(id)) },
      ]),
    );
    out[ch] = {
      ...describe(block, `channels.${ch}`),
      ...runtime(ch, "default"),
      storedCredentials: stored,
      ...(Object.keys(accounts).length ? { accounts } : {}),
    };
  }
  return out;
}

/**
 * Webhook ingress: whether `hooks.enabled`, its path, whether the Gmail push is on, and — from the
 * running gateway's `status` (operator.read) — each Gmail mailbox's failed syncs in a row and last
 * failure. No tokens.
 */
async function hooksStatus(ctx: AppContext): Promise<Doc> {
  const settings = hookSettings(ctx.config);
  if (!settings) return { enabled: false };
  const gmailOn = ctx.config.hooks?.gmail?.enabled === true;
  const doc: Doc = { enabled: true, path: settings.basePath, gmail: gmailOn };
  if (!gmailOn || !(await readPidInfo(ctx.paths.pidFile))) return doc;
  try {
    const live = (await withLocalGateway(["operator.read"], (c) => c.request("status", {}), ctx)) as Doc;
    const gmail = (live.hooks as { gmail?: { mailboxes: Doc[] } } | undefined)?.gmail;
    return { ...doc, ...(gmail ? { mailboxes: gmail.mailboxes } : {}) };
  } catch (err) {
    return { ...doc, liveError: errorMessage(err) };
  }
}

function hooksLine(h: Doc): string {
  if (!h.enabled) return "hooks: off";
  const boxes = ((h.mailboxes ?? []) as { mailbox: string; failures: number; lastError?: string }[]).map((b) =>
    b.failures === 0 ? `${b.mailbox} ok` : `${b.mailbox} ${b.failures} failed syncs (${b.lastError ?? "?"})`,
  );
  const gmail = h.gmail ? `; gmail push on${boxes.length ? `: ${boxes.join(", ")}` : ""}` : "";
  return `hooks: on at ${String(h.path)}${gmail}${h.liveError ? `; gateway not asked: ${String(h.liveError)}` : ""}`;
}

function policyStatus(ctx: AppContext): Doc {
  const t = ctx.config.tools ?? {};
  return {
    tools: {
      profile: t.profile ?? "unset",
      deny: t.deny ?? [],
      exec: {
        security: t.exec?.security ?? "allowlist",
        ask: t.exec?.ask ?? "on-miss",
        ...(t.exec?.mode ? { mode: t.exec.mode } : {}),
        host: t.exec?.host ?? "auto",
      },
      elevated: { enabled: t.elevated?.enabled === true },
      fs: { workspaceOnly: t.fs?.workspaceOnly !== false },
    },
    sandbox: {
      mode: ctx.config.agents?.defaults?.sandbox?.mode ?? "non-main",
      workspaceAccess: ctx.config.agents?.defaults?.sandbox?.workspaceAccess ?? "none",
    },
    session: { dmScope: ctx.config.session?.dmScope ?? "per-channel-peer" },
  };
}

/**
 * The status document (seeds security-reference.md "Incident Response": `status --all --json` for a
 * report). Holds configuration facts, sources of credentials and counts — never a secret value.
 */
export async function buildStatus(ctx: AppContext, all: boolean): Promise<Doc> {
  const state = await openStateStore({ stateDir: ctx.paths.stateDir, agentsDir: ctx.paths.agentsDir, log: ctx.log });
  const sessions = state.sessions.list();
  state.close();
  const byAgent: Record<string, number> = {};
  for (const s of sessions) byAgent[s.agentId] = (byAgent[s.agentId] ?? 0) + 1;
  const devices = new DeviceStore(ctx.paths.devicesDir, ctx.clock);
  const doc: Doc = {
    version: VERSION,
    stateDir: ctx.paths.stateDir,
    config: { path: ctx.loaded.path, exists: ctx.loaded.exists, warnings: ctx.loaded.warnings.length },
    gateway: await gatewayStatus(ctx),
    discovery: {
      mdns: effectiveMdnsMode(
        ctx.config.discovery?.mdns?.mode,
        ctx.env,
        (ctx.config.gateway?.bind ?? "loopback") === "loopback",
      ),
    },
    sessions: { total: sessions.length, byAgent },
    devices: { paired: (await devices.listPaired()).length, pending: (await devices.listPending()).length },
  };
  if (all)
    Object.assign(doc, {
      channels: await channelStatus(ctx),
      hooks: await hooksStatus(ctx),
      policies: policyStatus(ctx),
    });
  return doc;
}

/** `holdfast status [--all] [--json]`. */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command("status")
    .description("show the gateway's exposure, channels, policies and counts (no secrets)")
    .option("--all", "include channels and policies")
    .option("--json", "JSON output")
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const doc = await buildStatus(await cliContext(), o.all === true);
      if (o.json) return printJson(io, doc);
      const g = doc.gateway as Doc & { auth: Doc; running: Doc | false; startupCheck: Doc };
      io.out(
        `gateway: ${g.running ? `running (pid ${(g.running as Doc).pid}, port ${(g.running as Doc).port})` : "not running"}; bind ${String(g.bind)}; auth ${String(g.auth.mode)}`,
      );
      if (!g.startupCheck.ok) io.out(`  would not start: ${String(g.startupCheck.error)}`);
      const s = doc.sessions as Doc;
      const d = doc.devices as Doc;
      io.out(
        `sessions: ${String(s.total)}; devices: ${String(d.paired)} paired, ${String(d.pending)} pending; mDNS: ${String((doc.discovery as Doc).mdns)}`,
      );
      if (o.all) {
        for (const [ch, c] of Object.entries(doc.channels as Record<string, Doc>))
          io.out(
            `channel ${ch}: ${String(c.state)}; dmPolicy ${String(c.dmPolicy)}, groupPolicy ${String(c.groupPolicy)}, enabled ${String(c.enabled)}`,
          );
        io.out(hooksLine(doc.hooks as Doc));
        io.out(`policies: ${JSON.stringify(doc.policies)}`);
      }
    });
}
