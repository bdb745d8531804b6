import type { Command } from "commander";
import { startGateway } from "../../app/index.js";
import type { BindMode } from "../../gateway/index.js";
import { cliContext, cliCredential } from "../context.js";
import type { CliIo } from "../io.js";
import { parsePort } from "../parse.js";

/** Resolves when the process gets SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once("SIGINT", on("SIGINT"));
    process.once("SIGTERM", on("SIGTERM"));
  });
}

/** `holdfast gateway [run]` (foreground gateway) and `holdfast gateway token`. */
export function registerGateway(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const gw = program.command("gateway").description("run the gateway (HTTP + WebSocket + WebChat) in the foreground");
  const run = async (opts: { port?: string; bind?: string; verbose?: boolean }) => {
    const gateway = await startGateway({
      ...(opts.port !== undefined ? { port: parsePort(opts.port) } : {}),
      ...(opts.bind ? { bind: opts.bind as BindMode } : {}),
      verbose: opts.verbose === true,
    });
    const host = gateway.hosts[0] === "0.0.0.0" ? "127.0.0.1" : gateway.hosts[0];
    io.out(`holdfast gateway listening on ws://${host}:${gateway.port} (WebChat: http://${host}:${gateway.port}/)`);
    const sig = await untilSignal();
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
  gw.command("token")
    .description("print the gateway token clients use (stdout only; never logged)")
    .action(async () => {
      const ctx = await cliContext();
      const cred = await cliCredential(ctx);
      if (cred.token) io.out(cred.token);
      else if (cred.password) io.err("the gateway uses password auth; the password is in your config or HOLDFAST_GATEWAY_PASSWORD");
      else {
        io.err("no gateway token yet: it is generated on the first `holdfast gateway` start");
        setExit(1);
      }
    });
}
