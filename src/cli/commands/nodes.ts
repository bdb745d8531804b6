import path from "node:path";
import type { Command } from "commander";
import { AllowAlwaysStore } from "../../approvals/index.js";
import type { GatewayClient } from "../../client/index.js";
import { HoldfastError } from "../../errors/index.js";
import type { NodeInfo } from "../../nodes/index.js";
import { nodeDir, NodeIdentityStore, runNodeHost } from "../../node-host/index.js";
import { execLimits, execPolicyBase } from "../../tools/index.js";
import { cliContext, withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { parsePositiveInt } from "../parse.js";

/**
 * `holdfast node run --gateway <url>`: the headless node host (role `node`, offers `system.run`
 * under this machine's exec approvals). The shared credential comes from `--token`/`--password` or
 * HOLDFAST_GATEWAY_TOKEN / HOLDFAST_GATEWAY_PASSWORD and is only used until the node is paired.
 */
export function registerNode(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("node")
    .description("run a headless node host that offers system.run to a gateway")
    .command("run")
    .description("connect to a gateway as a node host and offer system.run (with exec approvals)")
    .requiredOption("--gateway <url>", "gateway URL, ws://host:port or wss://host:port")
    .option("--token <token>", "shared gateway token for the first pairing (prefer HOLDFAST_GATEWAY_TOKEN)")
    .option("--password <password>", "shared gateway password for the first pairing (prefer HOLDFAST_GATEWAY_PASSWORD)")
    .option("--tls-fingerprint <sha256>", "pin the gateway certificate (wss)")
    .option("--name <name>", "name shown to operators (default: hostname)")
    .action(
      async (o: { gateway: string; token?: string; password?: string; tlsFingerprint?: string; name?: string }) => {
        if (!/^wss?:\/\//.test(o.gateway))
          throw new HoldfastError(
            "HF_CLI_USAGE",
            `--gateway must be a ws:// or wss:// URL (got "${o.gateway.slice(0, 80)}")`,
          );
        const ctx = await cliContext();
        const dir = nodeDir(ctx.paths.stateDir);
        const identity = new NodeIdentityStore(dir);
        const id = await identity.identity();
        const ac = new AbortController();
        for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => ac.abort());
        const token = o.token ?? ctx.env.HOLDFAST_GATEWAY_TOKEN;
        const password = o.password ?? ctx.env.HOLDFAST_GATEWAY_PASSWORD;
        io.out(`holdfast node ${id.deviceId} connecting to ${o.gateway}`);
        await runNodeHost({
          gatewayUrl: o.gateway,
          ...(token ? { token } : {}),
          ...(password ? { password } : {}),
          ...(o.tlsFingerprint ? { tlsPin: o.tlsFingerprint } : {}),
          ...(o.name ? { displayName: o.name } : {}),
          identity,
          approvals: new AllowAlwaysStore(dir, () => ctx.clock.now()),
          basePolicy: execPolicyBase(ctx.config),
          workDir: path.join(dir, "workspace"),
          env: ctx.env,
          limits: execLimits(ctx.config),
          log: ctx.log.child({ stage: "node-host" }),
          clock: ctx.clock,
          signal: ac.signal,
          onConnected: (nodeId) => io.out(`node ${nodeId} registered with the gateway`),
        });
        setExit(0);
      },
    );
}

/** `holdfast nodes list [--json] | run <nodeId> <argv...> [--cwd] [--timeout-ms]`: operate nodes through the local gateway. */
export function registerNodes(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("nodes")
    .description("list connected node hosts and run commands on them (needs operator.admin)");
  cmd
    .command("list")
    .description("list the node hosts connected to the gateway")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const { nodes } = (await withAdmin((c) => c.request("nodes.list"))) as { nodes: NodeInfo[] };
      if (o.json) return printJson(io, { nodes });
      if (nodes.length === 0) return io.out("no node hosts connected");
      for (const n of nodes)
        io.out(
          `${n.nodeId}  ${n.displayName}  [${n.commands.join(", ")}]  since ${new Date(n.connectedAt).toISOString()}`,
        );
    });
  cmd
    .command("run <nodeId> <argv...>")
    .description("run a program (no shell) on a node; it may wait for an exec approval")
    .option("--cwd <dir>", "absolute working directory on the node")
    .option("--timeout-ms <ms>", "time limit of the command")
    .option("--json", "JSON output")
    .action(async (nodeId: string, argv: string[], o: { cwd?: string; timeoutMs?: string; json?: boolean }) => {
      const params = {
        nodeId,
        argv,
        ...(o.cwd ? { cwd: o.cwd } : {}),
        ...(o.timeoutMs ? { timeoutMs: parsePositiveInt("--timeout-ms", o.timeoutMs) } : {}),
      };
      const r = (await withAdmin((c) => c.request("nodes.run", params))) as {
        exitCode: number | null;
        stdout: string;
        stderr: string;
        approval: string;
      };
      if (o.json) printJson(io, r);
      else {
        if (r.stdout) io.out(r.stdout.trimEnd());
        if (r.stderr) io.err(r.stderr.trimEnd());
      }
      setExit(r.exitCode === 0 ? 0 : 1);
    });
}

function withAdmin<T>(fn: (c: GatewayClient) => Promise<T>): Promise<T> {
  return withLocalGateway(["operator.read", "operator.admin"], fn);
}
