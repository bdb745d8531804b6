import path from "node:path";

/**
 * Neutralisation of config-driven code paths for commands that run approval-free because they are
 * allowlisted. Many programs run code named in files the model can write (git config and hooks,
 * `.npmrc`, dotfiles in `$HOME`, Python's import path): allowlisting `git status` must not mean
 * "run whatever `.git/config` says". Each approval-free command runs with the settings below; what
 * cannot be switched off from the command line (listed as `residual`) still runs only inside the
 * session's jail. docs/tools.md documents this table. Source: issue "Approval-free host exec through
 * an allowlisted command".
 */
export interface Neutraliser {
  /** Program names (basename of the resolved executable; version suffixes stripped). */
  readonly programs: readonly string[];
  /** Environment set for the command (overrides the child environment). */
  readonly env: Readonly<Record<string, string>>;
  /** Arguments inserted right after the program name. */
  readonly leadingArgs: (args: readonly string[]) => readonly string[];
  /** What stays possible (runs inside the jail): documented, never silently assumed away. */
  readonly residual: string;
}

/** The ssh invocation that ignores every ssh config file (`~/.ssh/config` ProxyCommand, LocalCommand, Match exec). */
const SSH_NO_CONFIG = "ssh -F /dev/null";

/** git `-c` overrides: every code-running key that can be overridden by name. */
const GIT_OVERRIDES: readonly string[] = [
  "core.fsmonitor=false",
  "core.hooksPath=/dev/null",
  "core.pager=cat",
  "core.editor=false",
  `core.sshCommand=${SSH_NO_CONFIG}`,
  "core.askPass=",
  "core.attributesFile=/dev/null",
  "core.alternateRefsCommand=",
  "credential.helper=",
  "diff.external=",
  "diff.tool=",
  "merge.tool=",
  "sequence.editor=false",
  "gpg.program=false",
  "gpg.openpgp.program=false",
  "gpg.x509.program=false",
  "gpg.ssh.program=false",
  "commit.gpgSign=false",
  "tag.gpgSign=false",
  "log.showSignature=false",
  "protocol.ext.allow=never",
  "safe.bareRepository=explicit",
  "man.man.path=",
  "web.browser=",
];

/** git's own options that take the next word as their value (before the subcommand). */
const GIT_GLOBAL_VALUE_OPTIONS = ["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path"];

/** The subcommand of a git argv (first word that is not a global option or its value). */
export function gitSubcommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (GIT_GLOBAL_VALUE_OPTIONS.includes(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/**
 * True when a git argv itself asks git to run a command: `-c`/`--config-env`/`--exec-path=` before
 * the subcommand, `--upload-pack`/`--receive-pack`/`--exec`/`-u <cmd>` (transport programs),
 * `rebase -x`, `bisect run`, `submodule foreach`, `filter-branch`, `difftool -x`, `grep -O`,
 * `send-email --*-cmd`, and `clone -c`/`--config` (sets drivers the checkout runs).
 */
export function gitRunsCommand(args: readonly string[]): boolean {
  const sub = gitSubcommand(args);
  const at = sub === undefined ? args.length : args.indexOf(sub);
  const globals = args.slice(0, at);
  if (globals.some((a) => a === "-c" || a.startsWith("--config-env") || a.startsWith("--exec-path="))) return true;
  const rest = args.slice(at + 1);
  const has = (...flags: string[]) =>
    rest.some((a) => flags.some((f) => a === f || (f.startsWith("--") && a.startsWith(`${f}=`))));
  if (has("--upload-pack", "--receive-pack", "--exec", "--extcmd", "--open-files-in-pager", "--to-cmd", "--cc-cmd"))
    return true;
  if (rest.some((a) => /^-O/.test(a)) && sub === "grep") return true;
  switch (sub) {
    case "clone":
      return has("-u", "-c", "--config", "--template") || rest.some((a) => /^-[a-zA-Z]*[uc]/.test(a));
    case "fetch":
    case "pull":
    case "ls-remote":
    case "archive":
      return has("-u");
    case "rebase":
      return has("-x") || rest.some((a) => /^-[a-zA-Z]*x/.test(a));
    case "difftool":
    case "mergetool":
      return has("-x", "-t", "--tool");
    case "bisect":
      return rest[0] === "run";
    case "submodule":
      return rest.includes("foreach");
    case "filter-branch":
    case "send-email":
    case "daemon":
    case "instaweb":
    case "web--browse":
      return true;
    default:
      return false;
  }
}

/** The neutralisation table (order matters only for documentation). */
export const NEUTRALISERS: readonly Neutraliser[] = [
  {
    programs: ["git"],
    env: {
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_ATTR_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_PAGER: "cat",
      GIT_EDITOR: "false",
      GIT_SEQUENCE_EDITOR: "false",
      GIT_SSH_COMMAND: SSH_NO_CONFIG,
      GIT_PROXY_COMMAND: "",
      GIT_ASKPASS: "false",
      GIT_ALLOW_PROTOCOL: "file:git:http:https:ssh",
    },
    leadingArgs: (args) => {
      const sub = gitSubcommand(args);
      const alias = sub !== undefined && /^[A-Za-z0-9][A-Za-z0-9-]*$/.test(sub) ? [`alias.${sub}=`] : [];
      return [...GIT_OVERRIDES, ...alias].flatMap((kv) => ["-c", kv]);
    },
    residual:
      "drivers named in .gitattributes (filter.*, diff.*.textconv/command, merge.*.driver), remote.<name>.uploadpack/receivepack and include.path in the repository's own config",
  },
  {
    programs: ["npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg", "corepack"],
    env: {
      npm_config_ignore_scripts: "true",
      npm_config_userconfig: "/dev/null",
      npm_config_globalconfig: "/dev/null",
      npm_config_script_shell: "/bin/sh",
      npm_config_shell: "/bin/sh",
      npm_config_node_options: "",
      npm_config_git: "git",
      npm_config_editor: "false",
      npm_config_browser: "false",
      npm_config_sign_git_commit: "false",
      npm_config_sign_git_tag: "false",
      YARN_IGNORE_PATH: "1",
      YARN_ENABLE_SCRIPTS: "0",
    },
    leadingArgs: () => [],
    residual:
      "the script a command names explicitly (npm test, npm run <x>, npm exec) runs from package.json by design; other keys of the project .npmrc",
  },
  {
    programs: ["python", "pypy", "pip", "pip3"],
    env: { PYTHONNOUSERSITE: "1", PYTHONSAFEPATH: "1", PIP_CONFIG_FILE: "/dev/null", PIP_NO_INPUT: "1" },
    leadingArgs: () => [],
    residual: "the script or module the command names (and setup.py for pip install) runs by design",
  },
  {
    programs: ["ssh", "scp", "sftp"],
    env: {},
    leadingArgs: () => ["-F", "/dev/null"],
    residual: "none known",
  },
  { programs: ["curl"], env: {}, leadingArgs: () => ["-q"], residual: "none known" },
  {
    programs: ["wget"],
    env: { WGETRC: "/dev/null", SYSTEM_WGETRC: "/dev/null" },
    leadingArgs: () => [],
    residual: "none known",
  },
  {
    programs: ["make", "gmake", "cargo", "go", "mvn", "gradle", "rake", "bundle", "pytest", "tox"],
    env: { MAKEFLAGS: "", MAKEFILES: "", GOFLAGS: "", CARGO_BUILD_RUSTC_WRAPPER: "" },
    leadingArgs: () => [],
    residual: "the build files they exist to run (Makefile, Cargo build scripts and .cargo/config, conftest.py, ...)",
  },
];

/**
 * Environment every approval-free command gets: pagers and editors are inert. (Such a command also
 * runs with a private, empty HOME — `ExecRequest.privateHome` — so no dotfile the model wrote in the
 * workspace is read: `.gitconfig`, `.npmrc`, `.curlrc`, `.wgetrc`, `.ssh/config`, `.lesskey`, `.pip`,
 * `.jq`, Python's user site-packages.)
 */
export const NEUTRAL_ENV: Readonly<Record<string, string>> = {
  PAGER: "cat",
  MANPAGER: "cat",
  LESSSECURE: "1",
  EDITOR: "false",
  VISUAL: "false",
};

/** The program name a neutraliser is looked up by (`/usr/bin/python3.11` → `python`). */
function programKey(executable: string): string {
  return path.basename(executable).replace(/[0-9.]+$/, "");
}

/** The neutraliser of an executable (by its resolved path or its name), if any. */
export function neutraliserFor(executable: string): Neutraliser | undefined {
  const key = programKey(executable);
  return NEUTRALISERS.find((n) => n.programs.includes(key));
}

/** One segment's argv with the leading arguments its neutraliser adds, and the environment it sets. */
export function neutraliseSegment(
  argv: readonly string[],
  executables: readonly string[],
): { readonly argv: readonly string[]; readonly env: Readonly<Record<string, string>> } {
  const n = executables.map(neutraliserFor).find((x) => x !== undefined);
  if (!n || argv.length === 0) return { argv, env: {} };
  const args = argv.slice(1);
  return { argv: [argv[0] as string, ...n.leadingArgs(args), ...args], env: n.env };
}
