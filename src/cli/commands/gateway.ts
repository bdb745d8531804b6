import type { Command } from "commander";
import { startGateway } from "../../app/index.js";
import { resolvePaths } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { BIND_MODES, type BindMode } from "../../gateway/index.js";
import { cliContext, cliCredential } from "../context.js";
import type { CliIo } from "../io.js";
import { parsePort, parsePositiveInt } from "../parse.js";
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

/** `holdfast gateway [run]` (foreground gateway), `holdfast gateway stop` and `holdfast gateway token`. */
export function registerGateway(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const gw = program.command("gateway").description("run the gateway (HTTP + WebSocket + WebChat) in the foreground");
  const run = async (opts: { port?: string; bind?: string; verbose?: boolean }) => {
    const gateway = await startGateway({
      ...(opts.port !== undefined ? { port: parsePort(opts.port) } : {}),
      ...(opts.bind ? { bind: parseBind(opts.bind) } : {}),
      verbose: opts.verbose === true,
    });
    const host = gateway.hosts[0] === "0.0.0.0" ? "127.0.0.1" : gateway.hosts[0];
    const tls = gateway.exposure.tls;
    if (tls) io.out(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint256} (${tls.certPath})`);
    io.out(
      `holdfast gateway listening on ${tls ? "wss" : "ws"}://${host}:${gateway.port} (WebChat: ${tls ? "https" : "http"}://${host}:${gateway.port}/)`,
    );
    installFatalHandlers(gateway.ctx.log, gateway.stop);
    const sig = await untilShutdownSignal(gateway.ctx.log);
    io.out(`received ${sig}; shutting down`);
    await gateway.stop();
    setExit(0);
  };
  const withRunOptions = (c: Command) =>
    c
      .option("--port <port>", "port to listen on (default gateway.port or 18789)")
      .option("--bind <mode>", "loopback | lan | tailnet | auto | custom (default gateway.bind or loopback)")
      .option("--verbose", "debug logging on the console");
  withRunOptions(gw).action(run);
  withRunOptions(gw.command("run").description("run the gateway in the foreground")).action(run);
  gw.command("stop")
    .description("stop the running gateway (SIGTERM to the PID in <stateDir>/gateway.pid; waits for it to exit)")
    .option("--timeout <ms>", "how long to wait for it to exit", "15000")
    .action(async (o: { timeout: string }) => {
      const stopped = await stopRunningGateway(resolvePaths().pidFile, parsePositiveInt("--timeout", o.timeout));
      io.out(stopped ? `stopped the gateway (pid ${stopped.pid}, port ${stopped.port})` : "no gateway is running");
    });
  gw.command("token")
    .description("print the gateway token clients use (stdout only; never logged)")
    .action(async () => {
      const ctx = await cliContext();
      const cred = await cliCredential(ctx);
      if (cred.token) io.out(cred.token);
      else if (cred.password)
        io.err("the gateway uses password auth; the password is in your config or HOLDFAST_GATEWAY_PASSWORD");
      else {
        io.err("no gateway token yet: it is generated on the first `holdfast gateway` start");
        setExit(1);
      }
    });
}
