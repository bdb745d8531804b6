import type { Command } from "commander";
import { checkModelChain, ProviderCatalog, type ModelChainCheck } from "../../agent/index.js";
import { bootstrapLenient } from "../../app/index.js";
import { agentRoster } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { cliHint } from "../../infra/index.js";
import { printJson, type CliIo } from "../io.js";

/** `holdfast models list`: every provider the gateway knows, where its key comes from, its models. */
async function list(o: { json?: boolean }, io: CliIo): Promise<void> {
  const ctx = await bootstrapLenient();
  const catalog = new ProviderCatalog(ctx.config, ctx.secrets, ctx.env);
  const configured = new Set(Object.keys(ctx.config.models?.providers ?? {}));
  const providers = catalog.all().map((p) => ({
    id: p.id,
    api: p.api,
    baseUrl: p.baseUrl,
    keySource: p.keySource,
    usable: catalog.usable(p.id),
    configured: configured.has(p.id),
    models: p.models,
  }));
  if (o.json) return printJson(io, { providers });
  for (const p of providers)
    io.out(
      `${p.id.padEnd(12)} ${p.usable ? "usable  " : "no key  "} ${p.api.padEnd(19)} ${p.baseUrl}${p.configured ? " (configured)" : ""}${p.models.length ? `  models: ${p.models.join(", ")}` : ""}`,
    );
}

function chainLines(m: ModelChainCheck): string[] {
  const lines = [`agent ${m.agentId}: ${m.ok ? "ok" : "NOT USABLE"}`];
  m.chain.forEach((c, i) => {
    const p = m.probes?.[i];
    const probe = p
      ? p.ok
        ? `, answered in ${p.ms} ms: "${p.reply ?? ""}"`
        : `, FAILED: ${p.error ?? "no answer"}`
      : "";
    lines.push(
      `  ${i === 0 ? "primary " : "fallback"} ${c.ref} (provider ${c.provider}, ${c.usable ? `key from ${c.keySource}` : "no API key"}${probe})`,
    );
  });
  if (m.error) lines.push(...m.error.split("\n").map((l) => `  ${l}`));
  return lines;
}

/** `holdfast models status [--probe] [--agent id]`: each agent's model chain; exit 1 when one has no usable model. */
async function status(
  o: { json?: boolean; probe?: boolean; agent?: string },
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const ctx = await bootstrapLenient();
  const roster = agentRoster(ctx.config, ctx.paths);
  const ids = o.agent ? [o.agent] : roster.ids();
  if (o.agent && !roster.ids().includes(o.agent))
    throw new HoldfastError("HF_NOT_FOUND", `no agent "${o.agent}" (agents: ${roster.ids().join(", ")})`);
  const agents: ModelChainCheck[] = [];
  for (const agentId of ids)
    agents.push(
      await checkModelChain({
        config: ctx.config,
        configPath: ctx.paths.configPath,
        secrets: ctx.secrets,
        env: ctx.env,
        clock: ctx.clock,
        log: ctx.log,
        agentId,
        agent: roster.entry(agentId),
        probe: o.probe === true,
      }),
    );
  if (agents.some((a) => !a.ok)) setExit(1);
  if (o.json) return printJson(io, { agents });
  for (const a of agents) for (const l of chainLines(a)) io.out(l);
  if (!o.probe) io.out(`(check that each answers: ${cliHint("models status --probe")})`);
}

/** `holdfast models list|status`. */
export function registerModels(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const models = program.command("models").description("model providers and each agent's model chain");
  models
    .command("list")
    .description("the providers this gateway knows (built-in and configured), where each key comes from, their models")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) => list(o, io));
  models
    .command("status")
    .description("each agent's model chain (primary, fallbacks) and whether it can be used (exit 1 when not)")
    .option("--probe", "make one real call to each model")
    .option("--agent <id>", "only this agent")
    .option("--json", "JSON output")
    .action((o: { json?: boolean; probe?: boolean; agent?: string }) => status(o, io, setExit));
}
