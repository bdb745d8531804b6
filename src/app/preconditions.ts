import { checkChannelSettings } from "../channels/index.js";
import { readPidInfo } from "../client/index.js";
import { HoldfastError, errorMessage, isHoldfastError, type ErrorCode } from "../errors/index.js";
import { agentRoster } from "../config/index.js";
import { checkExposure, configuredCredentials, type ExposureOptions } from "../gateway/index.js";
import { checkHooksSettings } from "../hooks/index.js";
import { assertOwnDir, cliHint, findPortHolder, tryListen } from "../infra/index.js";
import { checkLogTarget, datedLogFile, defaultLogDir } from "../logging/index.js";
import { checkSandboxSettings } from "../sandbox/index.js";
import type { SecretFailure } from "../secrets/index.js";
import { assertWritable } from "../store/index.js";
import type { AppContext } from "./context.js";
import { stateDirs } from "./wire-store.js";

/** The outcome of one start precondition. Never holds a secret value. */
export interface PreconditionResult {
  readonly id: "secrets" | "log_file" | "exposure" | "storage" | "sandbox" | "channels" | "hooks" | "port";
  readonly ok: boolean;
  /** What was checked and found (ok), or why the gateway would refuse to start. */
  readonly detail: string;
  /** The catalogue code the gateway would exit with. */
  readonly code?: ErrorCode;
  /** `port` only: the port is held by this state dir's running gateway (doctor counts that as fine). */
  readonly heldByThisGateway?: boolean;
  /** Not checked because an earlier check it depends on failed. */
  readonly skipped?: boolean;
}

/** Inputs of the start preconditions. */
export interface PreconditionInput {
  readonly ctx: AppContext;
  /** `--port`, `--bind` and the exposure test seams, as `holdfast gateway` gets them. */
  readonly opts: ExposureOptions;
  /** SecretRefs that did not resolve (a lenient bootstrap; the gateway's own bootstrap throws instead). */
  readonly secretFailures?: readonly SecretFailure[];
  /** Check without creating anything (doctor): missing state directories are probed at their parent. */
  readonly inspectOnly?: boolean;
}

type Check = (input: PreconditionInput) => Promise<Omit<PreconditionResult, "id" | "ok">>;

/**
 * Every precondition of a gateway start, in the order the gateway meets them: the one list that
 * `holdfast gateway` (via {@link assertStartPreconditions}, before anything is built) and
 * `holdfast doctor` (via {@link checkStartPreconditions}) both run, so doctor can never pass a config
 * the gateway refuses. Each entry calls the owning stage's own check (the exposure's
 * `checkExposure`, the store's `assertWritable`, the sandbox's `checkSandboxSettings`, the channels'
 * `checkChannelSettings`, the webhooks' `checkHooksSettings`, the logging stage's `checkLogTarget`): a new
 * refusal added there lands here without further wiring; a refusal of a new kind is a new entry.
 */
const CHECKS: readonly (readonly [PreconditionResult["id"], Check])[] = [
  ["secrets", checkSecrets],
  ["log_file", checkLogFile],
  ["exposure", checkExposurePrecondition],
  ["storage", checkStateDirs],
  ["sandbox", checkSandbox],
  ["channels", checkChannels],
  ["hooks", checkHooks],
  ["port", checkPort],
];

/** Runs every start precondition and reports each (a failure does not stop the others). */
export async function checkStartPreconditions(input: PreconditionInput): Promise<PreconditionResult[]> {
  const out: PreconditionResult[] = [];
  for (const [id, check] of CHECKS) {
    try {
      out.push({ id, ok: true, ...(await check(input)) });
    } catch (err) {
      if (!isHoldfastError(err)) throw err;
      out.push({ id, ok: false, detail: err.message, code: err.code, ...portFlag(err) });
    }
  }
  return out;
}

/**
 * Runs the start preconditions and throws the first refusal (the gateway's start, before any stage
 * is built). @throws HoldfastError with the refusing stage's code (HF_GATEWAY_*, HF_CHANNEL_CONFIG,
 * HF_LOG_FILE_INSECURE, HF_SECRET_*).
 */
export async function assertStartPreconditions(input: PreconditionInput): Promise<void> {
  for (const [, check] of CHECKS) await check(input);
}

function portFlag(err: HoldfastError): { heldByThisGateway?: boolean } {
  return err.details?.heldByThisGateway === true ? { heldByThisGateway: true } : {};
}

async function checkSecrets({ secretFailures }: PreconditionInput) {
  const first = secretFailures?.[0];
  if (first) throw new HoldfastError(first.code, first.message, { path: first.path });
  return { detail: "every SecretRef resolves" };
}

async function checkLogFile({ ctx }: PreconditionInput) {
  const file = ctx.config.logging?.file;
  const target = file ?? datedLogFile(new Date(ctx.clock.now()), defaultLogDir(ctx.paths.stateDir));
  checkLogTarget(target, file === undefined);
  return { detail: `log file ${target} can be kept private` };
}

async function checkExposurePrecondition({ ctx, opts }: PreconditionInput) {
  const { plan, port } = await checkExposure(ctx, opts);
  return { detail: `${plan.authMode} auth on ${plan.hosts.join(", ")} port ${port} (bind ${plan.bindMode})` };
}

async function checkStateDirs({ ctx, inspectOnly }: PreconditionInput) {
  await assertOwnDir(ctx.paths.stateDir);
  await assertWritable(stateDirs(ctx.paths), { create: inspectOnly !== true });
  return { detail: `state directory ${ctx.paths.stateDir} is this user's, and writable` };
}

async function checkSandbox({ ctx }: PreconditionInput) {
  await checkSandboxSettings(ctx.config, ctx.paths.configPath);
  return { detail: "sandbox settings safe and every session limit enforceable here" };
}

async function checkChannels({ ctx }: PreconditionInput) {
  const counts = await checkChannelSettings(ctx);
  const running = Object.entries(counts).filter(([, n]) => n > 0);
  return {
    detail: running.length
      ? `channel settings usable: ${running.map(([c, n]) => `${c} (${n} account${n > 1 ? "s" : ""})`).join(", ")}`
      : "no channel accounts configured (WebChat only)",
  };
}

async function checkHooks({ ctx }: PreconditionInput) {
  const gw = configuredCredentials({ config: ctx.config, env: ctx.env, secrets: ctx.secrets });
  const detail = checkHooksSettings({
    config: ctx.config,
    secrets: ctx.secrets,
    gatewayCredentials: [gw.token?.value, gw.password?.value],
    agentIds: agentRoster(ctx.config, ctx.paths).ids(),
  });
  return { detail };
}

async function checkPort({ ctx, opts }: PreconditionInput) {
  const exposure = await checkExposure(ctx, opts).catch(() => undefined);
  if (!exposure) return { detail: "not checked: the exposure check failed", skipped: true };
  const { plan, port } = exposure;
  if (port === 0) return { detail: "any free port (--port 0)" };
  for (const host of plan.hosts) {
    const code = await tryListen(host, port);
    if (code) throw await listenRefusal(ctx, { host, port, code });
  }
  return { detail: `port ${port} is free on ${plan.hosts.join(", ")}` };
}

/**
 * The error for a port the gateway cannot listen on, saying who holds it and what to do: this state
 * dir's running gateway (from `gateway.pid`), or another process (found on Linux by the socket's
 * owner), with the commands to stop it or move to another port.
 */
export async function listenRefusal(
  ctx: Pick<AppContext, "paths" | "redactor">,
  at: { readonly host: string; readonly port: number; readonly code: string; readonly cause?: unknown },
): Promise<HoldfastError> {
  const { host, port, code } = at;
  const where = `${host}:${port}`;
  const other = `pick another port: ${cliHint(`gateway --port ${port + 1}`)} (or ${cliHint(`config set gateway.port ${port + 1}`)})`;
  const details = { host, port, errno: code };
  const options = at.cause !== undefined ? { cause: at.cause } : undefined;
  if (code === "EADDRINUSE") {
    const own = await readPidInfo(ctx.paths.pidFile);
    if (own && own.port === port)
      return new HoldfastError(
        "HF_GATEWAY_LISTEN",
        `Port ${where} is in use by this state dir's holdfast gateway (pid ${own.pid}, from ${ctx.paths.pidFile}): it is already running. Stop it with ${cliHint("gateway stop")}, restart it with ${cliHint("gateway restart")}, or ${other}.`,
        { ...details, heldByThisGateway: true, pid: own.pid },
        options,
      );
    const holder = await findPortHolder(port).catch(() => undefined);
    const who = holder
      ? `process ${holder.pid} (${ctx.redactor.redact(holder.command)})`
      : `another process (find it with: ss -ltnp 'sport = :${port}')`;
    return new HoldfastError(
      "HF_GATEWAY_LISTEN",
      `Port ${where} is in use by ${who}, not by this state dir's gateway. Stop that process, or ${other}.`,
      { ...details, ...(holder ? { pid: holder.pid } : {}) },
      options,
    );
  }
  const why =
    code === "EACCES"
      ? "permission denied (ports below 1024 need privileges)"
      : code === "EADDRNOTAVAIL"
        ? "the address is not on this machine"
        : code;
  return new HoldfastError(
    "HF_GATEWAY_LISTEN",
    `Cannot listen on ${where}: ${why} (${code}). ${capital(other)}.`,
    details,
    options,
  );
}

/** Turns a listen failure of the started server into {@link listenRefusal}; other errors pass through. */
export async function explainListenFailure(
  ctx: Pick<AppContext, "paths" | "redactor">,
  err: unknown,
): Promise<unknown> {
  if (!isHoldfastError(err, "HF_GATEWAY_LISTEN")) return err;
  const { host, port } = err.details ?? {};
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof host !== "string" || typeof port !== "number" || !code) return err;
  return listenRefusal(ctx, { host, port, code, cause: err.cause ?? errorMessage(err) });
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
