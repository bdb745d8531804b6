import { existsSync } from "node:fs";
import type { Command } from "commander";
import { startGateway } from "../../app/index.js";
import { readPidInfo } from "../../client/index.js";
import { resolvePaths } from "../../config/index.js";
import { HoldfastError, errorMessage } from "../../errors/index.js";
import { BIND_MODES, type BindMode } from "../../gateway/index.js";
import { cliHint } from "../../infra/index.js";
import { cliContext, cliCredential, withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { parsePort, parsePositiveInt } from "../parse.js";
import { restartGateway } from "../service/restart.js";
import { installFatalHandlers, untilShutdownSignal } from "./gateway-guards.js";
import { stopRunningGateway } from "./incident-util.js";

/** Parses `--bind`. @throws HoldfastError HF_CLI_USAGE. */
function parseBind(v: string): BindMode {
  if (!(BIND_MODES as readonly string[]).includes(v))
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `--bind must be one of ${BIND_MODES.join(" | ")} (got "${v.slice(0, 40)}")`,
    );
  return v as BindMode;
}

type RunFlags = { port?: string; bind?: string; verbose?: boolean };

/** The `gateway` arguments to start it again the same way (kept in the PID file for `restart`). */
function runArgv(o: RunFlags): string[] {
  return [
    "gateway",
    ...(o.port !== undefined ? ["--port", o.port] : []),
    ...(o.bind ? ["--bind", o.bind] : []),
    ...(o.verbose ? ["--verbose"] : []),
  ];
}

/**
 * `holdfast gateway [run]`: the gateway in the foreground until SIGINT/SIGTERM. Its terminal lines go
 * through the context's `say`, so with `logging.consoleStyle: "json"` they are JSON log lines too.
 */
async function run(o: RunFlags, setExit: (code: number) => void): Promise<void> {
  const gateway = await startGateway({
    ...(o.port !== undefined ? { port: parsePort(o.port) } : {}),
    ...(o.bind ? { bind: parseBind(o.bind) } : {}),
    verbose: o.verbose === true,
    argv: runArgv(o),
  });
  const say = gateway.ctx.say;
  const host = gateway.hosts[0] === "0.0.0.0" ? "127.0.0.1" : gateway.hosts[0];
  const tls = gateway.exposure.tls;
  if (tls) say(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint256} (${tls.certPath})`);
  say(
    `holdfast gateway listening on ${tls ? "wss" : "ws"}://${host}:${gateway.port} (WebChat: ${tls ? "https" : "http"}://${host}:${gateway.port}/)`,
  );
  installFatalHandlers(gateway.ctx.log, gateway.stop);
  const sig = await untilShutdownSignal(gateway.ctx.log);
  say(`received ${sig}; shutting down`);
  await gateway.stop();
  setExit(0);
}

/** `holdfast gateway status`: the PID file, then the gateway's own `status` over the socket. */
async function status(o: { json?: boolean }, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const paths = resolvePaths();
  const info = await readPidInfo(paths.pidFile);
  if (!info) {
    setExit(1);
    if (o.json) return printJson(io, { running: false, pidFile: paths.pidFile });
    return io.out(`The gateway is not running (no live PID in ${paths.pidFile}). Start it with: ${cliHint("gateway")}`);
  }
  let live: Record<string, unknown> | undefined;
  let error: string | undefined;
  try {
    live = (await withLocalGateway(["operator.read"], (c) => c.request("status"))) as Record<string, unknown>;
  } catch (err) {
    error = errorMessage(err);
    setExit(1);
  }
  const doc = {
    running: true,
    pid: info.pid,
    port: info.port,
    hosts: info.hosts,
    startedAt: info.startedAt,
    ...(live ? { status: live } : { error }),
  };
  if (o.json) return printJson(io, doc);
  const where = info.port === null ? "starting (not listening yet)" : `port ${info.port} on ${info.hosts.join(", ")}`;
  io.out(`The gateway is running: pid ${info.pid}, ${where}${info.startedAt ? `, since ${info.startedAt}` : ""}.`);
  if (!live) return io.out(`It does not answer: ${error ?? "unknown error"}`);
  const g = live.gateway as { auth?: { mode?: string }; tls?: { enabled?: boolean } } | undefined;
  const runs = live.runs as { active?: number } | undefined;
  io.out(
    `version ${String(live.version)}, up ${Math.round(Number(live.uptimeMs) / 1000)} s, auth ${g?.auth?.mode ?? "?"}${g?.tls?.enabled ? ", TLS" : ""}, ${String(live.connections ?? 0)} connection(s), ${String(runs?.active ?? 0)} active run(s)`,
  );
}

/** `holdfast gateway [run] | stop | restart | status | token`. */
export function registerGateway(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const gw = program.command("gateway").description("run the gateway (HTTP + WebSocket + WebChat) in the foreground");
  const withRunOptions = (c: Command) =>
    c
      .option("--port <port>", "port to listen on (default gateway.port or 18789)")
      .option("--bind <mode>", "loopback | lan | tailnet | auto | custom (default gateway.bind or loopback)")
      .option("--verbose", "debug logging on the console");
  withRunOptions(gw).action((o: RunFlags) => run(o, setExit));
  withRunOptions(gw.command("run").description("run the gateway in the foreground")).action((o: RunFlags) =>
    run(o, setExit),
  );
  gw.command("stop")
    .description("stop the running gateway (SIGTERM to the PID in <stateDir>/gateway.pid; waits for it to exit)")
    .option("--timeout <ms>", "how long to wait for it to exit", "15000")
    .action(async (o: { timeout: string }) => {
      const stopped = await stopRunningGateway(resolvePaths().pidFile, parsePositiveInt("--timeout", o.timeout));
      io.out(stopped ? `Stopped the gateway (pid ${stopped.pid}, port ${stopped.port}).` : "No gateway is running.");
    });
  gw.command("restart")
    .description(
      "restart the gateway: through its service when it runs under one, else stop it and start it again in the background",
    )
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const r = await restartGateway(resolvePaths(), process.env);
      if (o.json) return printJson(io, r);
      io.out(
        r.oldPid
          ? `Restarted the gateway (pid ${r.oldPid} → ${r.pid}, port ${r.port}${r.how === "service" ? ", through its service" : ""}).`
          : `No gateway was running; started one (pid ${r.pid}, port ${r.port}).`,
      );
    });
  gw.command("status")
    .description("is the gateway of this state dir running, and what does it say (exit 1 when not running)")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) => status(o, io, setExit));
  gw.command("token")
    .description("print the gateway token clients use (stdout only; never logged)")
    .option("--json", "JSON output: {mode, token, source}")
    .action(async (o: { json?: boolean }) => {
      const ctx = await cliContext();
      const cred = await cliCredential(ctx);
      const source = ctx.secrets.get("gateway.auth.token")
        ? "gateway.auth.token"
        : ctx.env.HOLDFAST_GATEWAY_TOKEN
          ? "HOLDFAST_GATEWAY_TOKEN"
          : existsSync(ctx.paths.generatedTokenFile)
            ? ctx.paths.generatedTokenFile
            : undefined;
      if (o.json) {
        if (!cred.token) setExit(1);
        return printJson(io, {
          mode: cred.password ? "password" : "token",
          token: cred.token ?? null,
          source: source ?? null,
        });
      }
      if (cred.token) io.out(cred.token);
      else if (cred.password)
        io.err("The gateway uses password auth; the password is in your config or HOLDFAST_GATEWAY_PASSWORD.");
      else {
        io.err(
          `No gateway token yet: it is generated on the first start (${cliHint("gateway")}) or by ${cliHint("onboard")}.`,
        );
        setExit(1);
      }
    });
}
