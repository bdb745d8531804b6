import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { gitRunsCommand, gitSubcommand, NEUTRAL_ENV, neutraliseSegment, neutraliserFor } from "./exec-neutralise.js";

/** Runs git the way an approval-free exec would (neutralised) or as written. */
function git(repo: string, args: string[], neutral: boolean): { status: number | null; out: string } {
  const n = neutral
    ? neutraliseSegment(["/usr/bin/git", ...args], ["/usr/bin/git"])
    : { argv: ["git", ...args], env: {} };
  const env = { PATH: "/usr/bin:/bin", HOME: neutral ? home : repo, ...(neutral ? NEUTRAL_ENV : {}), ...n.env };
  const r = spawnSync(n.argv[0] as string, n.argv.slice(1), { cwd: repo, env, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

let repo: string;
let home: string;
let marker: string;

beforeEach(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "holdfast-neutral-"));
  home = await mkdtemp(path.join(os.tmpdir(), "holdfast-neutral-home-"));
  marker = path.join(repo, "..", `${path.basename(repo)}-pwned`);
  spawnSync("git", ["init", "-q", repo]);
  const evil = path.join(repo, "evil.sh");
  await writeFile(evil, `#!/bin/sh\necho pwned >> ${marker}\n`);
  await chmod(evil, 0o755);
});

describe("git neutralisation (real git, config the model wrote)", () => {
  it.each([
    ["core.fsmonitor", [["core.fsmonitor", "EVIL"]], ["status"]],
    ["an alias shadowing the subcommand", [["alias.st", "!EVIL"]], ["st"]],
    ["diff.external", [["diff.external", "EVIL"]], ["diff"]],
    [
      "core.sshCommand",
      [
        ["remote.o.url", "ssh://host.invalid/r"],
        ["core.sshCommand", "EVIL"],
      ],
      ["fetch", "o"],
    ],
  ])("%s runs as written, and does not run neutralised", async (_name, config, run) => {
    const evil = path.join(repo, "evil.sh");
    await writeFile(path.join(repo, "f"), "x\n");
    spawnSync("git", ["-C", repo, "add", "f"]);
    spawnSync("git", ["-C", repo, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "m", "--no-verify"]);
    await writeFile(path.join(repo, "f"), "y\n");
    for (const [k, v] of config)
      spawnSync("git", ["-C", repo, "config", k as string, (v as string).replace("EVIL", evil)]);
    git(repo, run, false);
    expect(existsSync(marker)).toBe(true);
    await rm(marker);
    git(repo, run, true);
    expect(existsSync(marker)).toBe(false);
  });

  it("a hook in .git/hooks and a ~/.gitconfig in the workspace do not run", async () => {
    await mkdir(path.join(repo, ".git", "hooks"), { recursive: true });
    await writeFile(path.join(repo, ".git", "hooks", "pre-commit"), `#!/bin/sh\necho hook >> ${marker}\n`, {
      mode: 0o755,
    });
    await writeFile(path.join(repo, ".gitconfig"), `[core]\n\tfsmonitor = ${path.join(repo, "evil.sh")}\n`);
    await writeFile(path.join(repo, "f"), "x\n");
    git(repo, ["add", "f"], true);
    const r = git(repo, ["-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "m"], true);
    expect(r.status).toBe(0);
    git(repo, ["status"], true);
    expect(existsSync(marker)).toBe(false);
  });

  it("keeps git usable: status and log work neutralised", () => {
    const r = git(repo, ["status", "--short"], true);
    expect(r.status).toBe(0);
  });
});

describe("neutraliseSegment", () => {
  it("inserts git's overrides before the subcommand and names the alias of the subcommand", () => {
    const n = neutraliseSegment(["/usr/bin/git", "-C", "x", "status"], ["/usr/bin/git"]);
    expect(n.argv.slice(0, 3)).toEqual(["/usr/bin/git", "-c", "core.fsmonitor=false"]);
    expect(n.argv).toContain("core.hooksPath=/dev/null");
    expect(n.argv).toContain("alias.status=");
    expect(n.argv.slice(-3)).toEqual(["-C", "x", "status"]);
    expect(n.env).toMatchObject({ GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" });
  });

  it("finds the neutraliser by the resolved executable and strips version suffixes", () => {
    expect(neutraliserFor("/usr/bin/python3.11")?.env).toMatchObject({ PYTHONSAFEPATH: "1" });
    expect(neutraliseSegment(["curl", "https://x"], ["/usr/bin/curl"]).argv).toEqual(["curl", "-q", "https://x"]);
    expect(neutraliseSegment(["ssh", "h"], ["/usr/bin/ssh"]).argv).toEqual(["ssh", "-F", "/dev/null", "h"]);
    expect(neutraliseSegment(["ls", "-l"], ["/usr/bin/ls"])).toEqual({ argv: ["ls", "-l"], env: {} });
  });
});

describe("gitRunsCommand", () => {
  it.each([
    [["-c", "core.pager=x", "log"], true],
    [["--config-env=core.pager=X", "log"], true],
    [["--exec-path=/w", "status"], true],
    [["fetch", "--upload-pack=x", "origin"], true],
    [["push", "--receive-pack", "x"], true],
    [["clone", "-u", "x", "a"], true],
    [["clone", "--config", "k=v", "a"], true],
    [["rebase", "-x", "make", "main"], true],
    [["bisect", "run", "x"], true],
    [["submodule", "foreach", "x"], true],
    [["grep", "-Ox", "y"], true],
    [["difftool", "-x", "x"], true],
    [["filter-branch"], true],
    [["status"], false],
    [["-C", "sub", "log", "-p"], false],
    [["add", "-u"], false],
    [["commit", "-c", "HEAD"], false],
  ])("%j → %s", (args, expected) => {
    expect(gitRunsCommand(args as string[])).toBe(expected);
  });

  it("finds the subcommand after global options", () => {
    expect(gitSubcommand(["-C", "x", "--git-dir", "y", "status"])).toBe("status");
    expect(gitSubcommand(["--version"])).toBeUndefined();
  });
});
