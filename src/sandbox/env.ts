/** Environment variables a tool's child process may inherit; everything else is dropped. */
const PASSED = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ"] as const;

/**
 * Builds the environment of a tool's child process from an allowlist (PATH, locale, TERM, TZ), so
 * provider keys, the gateway token and every other secret in the gateway's env never reach it.
 * `HOME` is set to `home` (the workspace), `HOLDFAST_SHELL=exec` marks the child.
 */
export function scrubbedEnv(source: NodeJS.ProcessEnv, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASSED) {
    const v = source[k];
    if (v !== undefined) env[k] = v;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.HOME = home;
  env.HOLDFAST_SHELL = "exec";
  return env;
}
