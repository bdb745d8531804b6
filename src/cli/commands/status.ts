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
import { openStateStore } from "../../store/index.js";
import { cliContext } from "../context.js";
import { printJson, type CliIo } from "../io.js";

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

/** Per channel: enabled, DM/group policy, allowlist sizes, which credentials exist (paths only). */
function channelStatus(ctx: AppContext): Doc {
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
      Object.entries(block?.accounts ?? {}).map(([id, a]) => [id, describe(a, `channels.${ch}.accounts.${id}`)]),
    );
    out[ch] = {
      ...describe(block, `channels.${ch}`),
      storedCredentials: stored,
      ...(Object.keys(accounts).length ? { accounts } : {}),
    };
  }
  return out;
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
  if (all) Object.assign(doc, { channels: channelStatus(ctx), policies: policyStatus(ctx) });
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
            `channel ${ch}: dmPolicy ${String(c.dmPolicy)}, groupPolicy ${String(c.groupPolicy)}, enabled ${String(c.enabled)}`,
          );
        io.out(`policies: ${JSON.stringify(doc.policies)}`);
      }
    });
}
