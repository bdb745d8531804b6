import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalCommand, parseCommandLine, shQuote } from "./exec-parse.js";
import {
  decideExec,
  entryMatches,
  segmentClass,
  DEFAULT_SAFE_BIN_DIRS,
  DEFAULT_SAFE_BINS,
  type ExecPolicy,
} from "./exec-policy.js";
import { planExec } from "./exec-plan.js";
import type { ResolvedSegment } from "./exec-resolve.js";

const seg = (argv: string[], p = `/usr/bin/${argv[0]}`, viaPath = true): ResolvedSegment => ({
  argv,
  path: p,
  real: p,
  viaPath,
});
const policy = (over: Partial<ExecPolicy> = {}): ExecPolicy => ({
  security: "allowlist",
  ask: "on-miss",
  allowlist: [],
  safeBins: DEFAULT_SAFE_BINS,
  safeBinTrustedDirs: DEFAULT_SAFE_BIN_DIRS,
  ...over,
});

describe("command line parsing", () => {
  it.each([
    ["ls -la", [["ls", "-la"]], []],
    ["ls | grep x && echo 'a b' ; cat f", [["ls"], ["grep", "x"], ["echo", "a b"], ["cat", "f"]], ["|", "&&", ";"]],
    ["a || b", [["a"], ["b"]], ["||"]],
    ["ls ;", [["ls"]], []],
    ["echo 'it'\\''s' \"q\\\"x\"", [["echo", "it's", 'q"x']], []],
  ])("splits %j into checked segments", (line, segments, ops) => {
    expect(parseCommandLine(line)).toEqual({ ok: true, command: { segments, ops } });
  });

  it.each([
    ["echo $(id)", /substitution/],
    ["echo `id`", /backtick/],
    ["echo $HOME", /substitution/],
    ['echo "${X}"', /substitution/],
    ["cat > f", /">"/],
    ["cat < f", /"<"/],
    ["ls 2>&1", /">&"/],
    ["ls *.txt", /globbing/],
    ["(ls)", /"\("/],
    ["ls & rm x", /"&"/],
    ["echo a # c", /comments/],
    ["LD_PRELOAD=x ls", /environment assignments/],
    ["ls ~/x", /~ expansion/],
    ["ls\nrm x", /multi-line/],
    ["| ls", /without a command before/],
    ["ls |", /without a command after/],
    ["diff <(a) <(b)", /"<\("/],
  ])("refuses %j", (line, why) => {
    const r = parseCommandLine(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });

  it("runs exactly the checked argv: the canonical line gives /bin/sh the same words (property)", () => {
    const word = fc.string({
      unit: fc.constantFrom(
        "a",
        "b",
        " ",
        "'",
        '"',
        "\\",
        "$",
        "`",
        ";",
        "|",
        "&",
        ">",
        "*",
        "?",
        "(",
        ")",
        "#",
        "~",
        "=",
        "\t",
        "!",
        "{",
        "}",
        "é",
      ),
      minLength: 0,
      maxLength: 8,
    });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (words) => {
        const line = canonicalCommand({ segments: [["printf", "%s\\0", ...words]], ops: [] });
        const out = spawnSync("/bin/sh", ["-c", line], { encoding: "utf8" });
        expect(out.stdout.split("\0").slice(0, -1)).toEqual(words);
        const reparsed = parseCommandLine(line);
        if (reparsed.ok) expect(reparsed.command.segments).toEqual([["printf", "%s\\0", ...words]]);
      }),
      { numRuns: 60 },
    );
  });

  it("quotes single quotes safely", () => {
    expect(shQuote("a'b")).toBe("'a'\\''b'");
  });
});

describe("exec policy", () => {
  it.for([
    ["security deny refuses everything", policy({ security: "deny" }), [seg(["ls"])], "deny", "exec_security_deny"],
    ["security full runs anything", policy({ security: "full", ask: "off" }), undefined, "run", "exec_security_full"],
    [
      "security full + ask always asks",
      policy({ security: "full", ask: "always" }),
      undefined,
      "ask",
      "exec_ask_always",
    ],
    [
      "allowlisted bare name",
      policy({ allowlist: [{ pattern: "ls", source: "config" }] }),
      [seg(["ls", "-la"])],
      "run",
      "exec_allowlisted",
    ],
    [
      "allowlisted path glob",
      policy({ allowlist: [{ pattern: "/usr/bin/*", source: "config" }] }),
      [seg(["git", "status"])],
      "run",
      "exec_allowlisted",
    ],
    [
      "bare pattern does not match an explicit path",
      policy({ allowlist: [{ pattern: "ls", source: "config" }] }),
      [seg(["/tmp/ls"], "/tmp/ls", false)],
      "ask",
      "exec_allowlist_miss",
    ],
    [
      "exact args entry",
      policy({ allowlist: [{ pattern: "/usr/bin/git", args: ["status"], source: "allow-always" }] }),
      [seg(["git", "status"])],
      "run",
      "exec_allowlisted",
    ],
    [
      "exact args entry, other args",
      policy({ allowlist: [{ pattern: "/usr/bin/git", args: ["status"], source: "allow-always" }] }),
      [seg(["git", "push"])],
      "ask",
      "exec_allowlist_miss",
    ],
    ["miss with ask off", policy({ ask: "off" }), [seg(["ls"])], "deny", "exec_allowlist_miss"],
    [
      "allowlisted with ask always",
      policy({ ask: "always", allowlist: [{ pattern: "ls", source: "config" }] }),
      [seg(["ls"])],
      "ask",
      "exec_ask_always",
    ],
    [
      "every segment of a pipe must match",
      policy({ allowlist: [{ pattern: "ls", source: "config" }] }),
      [seg(["ls"]), seg(["rm", "-rf", "x"])],
      "ask",
      "exec_allowlist_miss",
    ],
    ["safe bin without file arguments", policy(), [seg(["wc", "-l"])], "run", "exec_allowlisted"],
    [
      "safe bin with a file argument",
      policy(),
      [seg(["head", "-n", "5", "/etc/passwd"])],
      "ask",
      "exec_allowlist_miss",
    ],
    ["safe bin reading a file list", policy(), [seg(["wc", "--files0-from=list"])], "ask", "exec_allowlist_miss"],
    ["safe bin outside the trusted dirs", policy(), [seg(["wc"], "/tmp/wc", false)], "ask", "exec_allowlist_miss"],
    ["unparsable line", policy(), undefined, "deny", "exec_shell_syntax_refused"],
    ["unknown command", policy(), [{ argv: ["nope"], viaPath: true }], "deny", "exec_command_not_found"],
    [
      "sh -c is never approvable",
      policy({ allowlist: [{ pattern: "/usr/bin/*", source: "config" }] }),
      [seg(["sh", "-c", "id"])],
      "deny",
      "exec_wrapper_refused",
    ],
    [
      "bash -lc is never approvable",
      policy({ security: "allowlist", ask: "always" }),
      [seg(["bash", "-lc", "id"])],
      "deny",
      "exec_wrapper_refused",
    ],
    [
      "a wrapper hidden behind a symlink",
      policy(),
      [{ argv: ["x"], path: "/usr/bin/x", real: "/usr/bin/dash", viaPath: true }],
      "deny",
      "exec_wrapper_refused",
    ],
    [
      "a wrapper in a pipe",
      policy({ allowlist: [{ pattern: "*", source: "config" }] }),
      [seg(["cat", "f"]), seg(["sh"])],
      "deny",
      "exec_wrapper_refused",
    ],
    ["sudo", policy(), [seg(["sudo", "ls"])], "deny", "exec_wrapper_refused"],
  ] as const)("%s", ([_n, p, segments, kind, reason]) => {
    const v = decideExec(p, segments as ResolvedSegment[] | undefined, "bad syntax");
    expect(v.kind).toBe(kind);
    expect(v.reason).toBe(reason);
  });

  it.each([
    [["python3", "-c", "print(1)"], "eval"],
    [["python3.11", "-c", "x"], "eval"],
    [["node", "-e", "1"], "eval"],
    [["node", "--eval=1"], "eval"],
    [["perl", "-E", "say 1"], "eval"],
    [["find", ".", "-exec", "rm", "{}", ";"], "eval"],
    [["xargs", "rm"], "eval"],
    [["env", "LD_PRELOAD=x", "ls"], "eval"],
    [["git", "-c", "core.pager=sh", "log"], "eval"],
    [["awk", "{print}"], "eval"],
    [["python3", "-Ic", "import os"], "eval"],
    [["python3", "-uc", "x"], "eval"],
    [["python3", "-Sc", "x"], "eval"],
    [["python3", "-Ec", "x"], "eval"],
    [["perl", "-lne", "print"], "eval"],
    [["ruby", "-ne", "print"], "eval"],
    [["node", "-pe", "1"], "eval"],
    [["git", "fetch", "--upload-pack=touch x", "origin"], "eval"],
    [["git", "clone", "-u", "x", "a", "b"], "eval"],
    [["git", "submodule", "foreach", "id"], "eval"],
    [["tar", "-xf", "a.tar", "--to-command=id"], "eval"],
    [["ssh", "-oProxyCommand=id", "h"], "eval"],
    [["rg", "--pre", "./x", "y"], "eval"],
    [["python3", "-m", "json.tool", "-c"], "plain"],
    [["tar", "-xf", "a.tar"], "plain"],
    [["python3", "script.py"], "plain"],
    [["git", "status"], "plain"],
    [["zsh"], "wrapper"],
    [["busybox", "sh"], "wrapper"],
  ])("classifies %j as %s", (argv, cls) => {
    expect(segmentClass(seg(argv as string[]))).toBe(cls);
  });

  it("inline code needs approval every time and is never persistable, even when allowlisted", () => {
    const v = decideExec(policy({ allowlist: [{ pattern: "python3", source: "config" }] }), [
      seg(["python3", "-c", "print(1)"]),
    ]);
    expect(v).toMatchObject({ kind: "ask", persistable: false });
  });

  it("never runs or asks for a segment that runs a shell, whatever the allowlist (property)", () => {
    const shells = fc.constantFrom("sh", "bash", "dash", "zsh", "busybox", "sudo", "su", "chroot", "nsenter");
    const entry = fc.constantFrom("*", "/usr/bin/*", "sh", "bash", "/usr/bin/sh");
    fc.assert(
      fc.property(
        fc.record({
          shell: shells,
          args: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
          entries: fc.array(entry, { maxLength: 3 }),
          ask: fc.constantFrom("off", "on-miss", "always"),
          pos: fc.nat(2),
        }),
        ({ shell, args, entries, ask, pos }) => {
          const segments = [seg(["cat", "x"]), seg(["wc", "-l"])];
          segments.splice(pos, 0, seg([shell, ...args]));
          const v = decideExec(
            policy({
              ask: ask as ExecPolicy["ask"],
              allowlist: entries.map((e) => ({ pattern: e, source: "config" as const })),
            }),
            segments,
          );
          expect(v.kind).toBe("deny");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches allowlist entries on the resolved path, never on the words typed", () => {
    expect(
      entryMatches(
        { pattern: "/usr/bin/ls", source: "config" },
        { argv: ["ls"], path: "/usr/bin/ls", real: "/usr/bin/ls", viaPath: true },
      ),
    ).toBe(true);
    expect(entryMatches({ pattern: "/usr/bin/ls", source: "config" }, { argv: ["/usr/bin/ls"], viaPath: false })).toBe(
      false,
    );
    expect(
      entryMatches(
        { pattern: "/usr/bin/*", source: "config" },
        { argv: ["x"], path: "/usr/bin/sub/x", real: "/usr/bin/sub/x", viaPath: true },
      ),
    ).toBe(false);
  });
});

describe("exec plan", () => {
  it("runs one segment without a shell, by resolved path", async () => {
    const p = await planExec("echo hi there", policy({ allowlist: [{ pattern: "echo", source: "config" }] }), {
      cwd: "/",
      pathVar: "/usr/bin:/bin",
    });
    expect(p.verdict.kind).toBe("run");
    expect(p.run).toEqual({ argv: [expect.stringMatching(/\/echo$/), "hi", "there"] });
    expect(p.patterns).toEqual([{ pattern: expect.stringMatching(/\/echo$/), args: ["hi", "there"] }]);
  });

  it("runs a pipe as a canonical, fully quoted line", async () => {
    const p = await planExec("echo 'a b' | wc -c", policy({ allowlist: [{ pattern: "echo", source: "config" }] }), {
      cwd: "/",
      pathVar: "/usr/bin:/bin",
    });
    expect(p.verdict.kind).toBe("run");
    expect("shellCommand" in p.run && p.run.shellCommand).toMatch(/^'\/[^']+\/echo' 'a b' \| '\/[^']+\/wc' '-c'$/);
    expect(p.display).toBe("echo 'a b' | wc -c");
  });

  it("never looks at an executable in the workspace, and never admits it without approval", async () => {
    const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-plan-ws-"));
    const entry = { pattern: path.join(ws, "*"), source: "config" as const };
    const p = await planExec("./build.sh x", policy({ allowlist: [entry] }), {
      cwd: ws,
      pathVar: "/usr/bin:/bin",
      workspace: ws,
    });
    expect(p.verdict).toMatchObject({ kind: "ask", reason: "exec_allowlist_miss" });
    expect(p.run).toEqual({ argv: [path.join(ws, "build.sh"), "x"] });
  });

  it("runs the raw line under security full", async () => {
    const p = await planExec("echo $HOME > x", policy({ security: "full", ask: "off" }), {
      cwd: "/",
      pathVar: "/usr/bin:/bin",
    });
    expect(p).toMatchObject({ verdict: { kind: "run" }, run: { shellCommand: "echo $HOME > x" } });
  });
});
