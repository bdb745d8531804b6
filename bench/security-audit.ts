/**
 * Benchmark: `holdfast security audit --json` on a typical config.
 * Run: npm run build && npx tsx bench/security-audit.ts [iterations]
 * Prints (ms): the audit in-process (load config + secrets + disk state, run every check, render JSON),
 * and the full CLI process (`bin/holdfast.mjs`, which loads only the command it runs).
 */
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AUDIT_CHECKS } from "../src/app/audit-checks/index.js";
import { loadAuditContext, reportJson, runAudit } from "../src/audit/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.argv[2] ?? 15);

/** A typical single-operator setup: token auth, Telegram with an allowlist, a provider key from env, 30 sessions. */
async function typicalStateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-"));
  await chmod(dir, 0o700);
  const config = {
    gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: "${BENCH_GATEWAY_TOKEN}" } },
    session: { dmScope: "per-channel-peer" },
    channels: {
      telegram: {
        dmPolicy: "pairing",
        allowFrom: ["123456789"],
        groups: { "*": { requireMention: true } },
        botToken: "${BENCH_TELEGRAM_TOKEN}",
      },
    },
    models: { providers: { anthropic: { apiKey: { source: "env", provider: "default", id: "BENCH_ANTHROPIC_KEY" } } } },
    agents: {
      defaults: {
        model: { primary: "anthropic/claude-opus-4-6" },
        sandbox: { mode: "non-main", scope: "session", workspaceAccess: "none" },
      },
    },
    tools: { exec: { security: "allowlist", ask: "on-miss" }, fs: { workspaceOnly: true } },
    logging: { file: path.join(dir, "logs", "holdfast.log"), redactPatterns: ["internal-[0-9]+"] },
  };
  await writeFile(path.join(dir, "holdfast.json"), JSON.stringify(config, null, 2), { mode: 0o600 });
  const sessions = path.join(dir, "agents", "main", "sessions");
  await mkdir(sessions, { recursive: true, mode: 0o700 });
  for (let i = 0; i < 30; i++)
    await writeFile(path.join(sessions, `${i}.jsonl`), '{"type":"session"}\n', { mode: 0o600 });
  await mkdir(path.join(dir, "logs"), { mode: 0o700 });
  await writeFile(path.join(dir, "logs", "holdfast.log"), "", { mode: 0o600 });
  return dir;
}

const env = (dir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  HOLDFAST_STATE_DIR: dir,
  BENCH_GATEWAY_TOKEN: "b".repeat(64),
  BENCH_TELEGRAM_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ",
  BENCH_ANTHROPIC_KEY: "sk-ant-bench-0123456789abcdef",
});

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]?.toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, min ${s[0]?.toFixed(1)} ms (n=${s.length})`;
}

function timeProcess(args: string[], e: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: e, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  JSON.parse(r.stdout);
  return performance.now() - t;
}

const dir = await typicalStateDir();
const inProcess: number[] = [];
let findings = 0;
for (let i = 0; i < N + 2; i++) {
  const t = performance.now();
  const report = await runAudit(await loadAuditContext({ env: env(dir) }), AUDIT_CHECKS);
  JSON.stringify(reportJson(report));
  if (i >= 2) inProcess.push(performance.now() - t);
  findings = report.findings.length;
}
const cli: number[] = [];
for (let i = 0; i < N; i++)
  cli.push(timeProcess([path.join(ROOT, "bin/holdfast.mjs"), "security", "audit", "--json"], env(dir)));
const bare: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  bare.push(performance.now() - t);
}
console.log(
  `security audit --json on a typical config (${findings} findings), load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} on ${os.cpus().length} CPUs`,
);
console.log(`  in-process audit (config + secrets + disk + checks + JSON): ${stats(inProcess)}`);
console.log(`  fresh process, full CLI (bin/holdfast.mjs):                  ${stats(cli)}`);
console.log(`  fresh process, empty Node (baseline):                        ${stats(bare)}`);
