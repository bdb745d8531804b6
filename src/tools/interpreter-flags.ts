/**
 * Interpreter command lines parsed the way each interpreter parses them, so inline code is found
 * however its flag is written: clustered short flags (`python3 -Ic`, `-uc`, `perl -lne`, `ruby -ne`,
 * `sh -ec`), attached values (`-e'code'`, `--eval=code`), and flags that come after other options.
 * Parsing stops where the interpreter stops reading its own options (the script name, `-`, `--`);
 * arguments after that belong to the script. Where a grammar is not fully known (node's and V8's
 * value-taking options) the parser errs towards finding inline code: a word right after an unknown
 * option may be its value, so scanning goes on. Over-detection costs an approval; under-detection
 * would run code without one. Source: issue "Inline-eval detection misses combined short flags".
 */

/** How an interpreter reads its options. */
interface Grammar {
  /** Short flags (one letter) that run inline code or another program given as their value. */
  readonly evalShort: string;
  /** Short flags that take a value: the rest of the cluster, or the next word when the rest is empty. */
  readonly valueShort: string;
  /** Short flags whose value is only the rest of the cluster (never the next word). */
  readonly attachedShort?: string;
  /** Short flags after which the interpreter stops reading options (python `-m module`). */
  readonly stopShort?: string;
  /** Short flags that take digits only from the rest of the cluster (perl `-l`, `-0`). */
  readonly digitsShort?: string;
  /** Long options that run inline code (`--eval`, `--print`), with `=value` or the next word. */
  readonly evalLong?: readonly string[];
  /** Long options that take the next word as their value (when not written `--opt=value`). */
  readonly valueLong?: readonly string[];
  /** Subcommands (first non-option word) that run inline code (`deno eval`). */
  readonly evalSubcommands?: readonly string[];
  /** Whether an unknown long option may take the next word as its value (keep scanning after it). */
  readonly unknownLongTakesValue?: boolean;
  /** Whether `+o`-style options exist (shells). */
  readonly plusOptions?: boolean;
}

const PYTHON: Grammar = { evalShort: "c", valueShort: "WXQ", stopShort: "m", valueLong: ["--check-hash-based-pycs"] };
const PERL: Grammar = { evalShort: "eEmM", valueShort: "I", attachedShort: "iFxCdDV", digitsShort: "l0" };
const RUBY: Grammar = {
  evalShort: "e",
  valueShort: "rICEK",
  attachedShort: "xFiW0T",
  valueLong: ["--encoding", "--external-encoding", "--internal-encoding"],
};
const NODE: Grammar = {
  evalShort: "epr",
  valueShort: "C",
  evalLong: [
    "--eval",
    "--print",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
    "--env-file",
    "--env-file-if-exists",
    "--run",
  ],
  unknownLongTakesValue: true,
};
const SHELL: Grammar = { evalShort: "c", valueShort: "oO", plusOptions: true, valueLong: ["--rcfile", "--init-file"] };

/** Interpreters by program name (version suffixes such as `python3.11` or `lua5.4` are stripped first). */
const GRAMMARS: Readonly<Record<string, Grammar>> = {
  python: PYTHON,
  pypy: PYTHON,
  perl: PERL,
  ruby: RUBY,
  node: NODE,
  nodejs: NODE,
  bun: { ...NODE, evalShort: "ep" },
  deno: { evalShort: "", valueShort: "", evalLong: ["--eval", "--eval-file"], evalSubcommands: ["eval"] },
  php: { evalShort: "rBREd", valueShort: "cfFz", valueLong: ["--define"] },
  lua: { evalShort: "el", valueShort: "" },
  luajit: { evalShort: "elj", valueShort: "b" },
  osascript: { evalShort: "e", valueShort: "ls" },
  rscript: { evalShort: "e", valueShort: "", evalLong: ["--expr"] },
  julia: { evalShort: "eEL", valueShort: "CJOLtp", evalLong: ["--eval", "--print", "--load"] },
  elixir: { evalShort: "er", valueShort: "", evalLong: ["--eval", "--rpc-eval"] },
  tclsh: { evalShort: "", valueShort: "" },
  sh: SHELL,
  bash: SHELL,
  dash: SHELL,
  zsh: SHELL,
  ksh: SHELL,
  mksh: SHELL,
  ash: SHELL,
  fish: { evalShort: "c", valueShort: "Cdo", evalLong: ["--command", "--init-command"] },
};

/** Finds an interpreter's grammar from its program name (`python3.11` → python, `Rscript` → rscript). */
function grammarOf(program: string): Grammar | undefined {
  const name = program.toLowerCase().replace(/[0-9.]+$/, "");
  return GRAMMARS[name];
}

/** The inline-code flag an interpreter argv uses (e.g. `-c` of `-Ic`), or undefined when it runs a file or nothing. */
export function inlineEvalFlag(program: string, args: readonly string[]): string | undefined {
  const g = grammarOf(program);
  if (!g) return undefined;
  let mayBeValue = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--" || a === "-") return undefined;
    if (a.startsWith("--")) {
      const [name = a] = a.split("=", 1);
      if (g.evalLong?.includes(name)) return name;
      const takes = g.valueLong?.includes(name) ?? false;
      if (takes && !a.includes("=")) i++;
      mayBeValue = !takes && !a.includes("=") && g.unknownLongTakesValue === true;
      continue;
    }
    if ((a.startsWith("-") || (g.plusOptions && a.startsWith("+"))) && a.length > 1) {
      const r = scanCluster(g, a.slice(1));
      if (r.evalFlag) return `-${r.evalFlag}`;
      if (r.stop) return undefined;
      if (r.takesNext) i++;
      mayBeValue = false;
      continue;
    }
    if (g.evalSubcommands?.includes(a)) return a;
    if (mayBeValue) {
      mayBeValue = false;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Reads one cluster of short flags (without its dash). */
function scanCluster(g: Grammar, cluster: string): { evalFlag?: string; takesNext: boolean; stop: boolean } {
  for (let j = 0; j < cluster.length; j++) {
    const c = cluster[j] as string;
    if (g.evalShort.includes(c)) return { evalFlag: c, takesNext: false, stop: false };
    if (g.stopShort?.includes(c)) return { takesNext: false, stop: true };
    if (g.valueShort.includes(c)) return { takesNext: j === cluster.length - 1, stop: false };
    if (g.attachedShort?.includes(c)) return { takesNext: false, stop: false };
    if (g.digitsShort?.includes(c)) j += digitsAt(cluster, j + 1, c === "0");
  }
  return { takesNext: false, stop: false };
}

/** Length of the number perl reads after `-l` (octal) or `-0` (octal, or `x` and hex digits). */
function digitsAt(cluster: string, from: number, hex: boolean): number {
  const rest = cluster.slice(from);
  const m = (hex && /^x[0-9a-fA-F]*/.exec(rest)) || /^[0-7]*/.exec(rest);
  return m ? m[0].length : 0;
}

/** Program names this parser knows (for documentation and tests). */
export const PARSED_INTERPRETERS: readonly string[] = Object.keys(GRAMMARS);
