import { finding, type AuditCheck, type AuditContext } from "../../audit/index.js";

/** Every explicitly weakened safety switch in the config, as `key=value` strings. */
function enabledFlags(ctx: AuditContext): string[] {
  const c = ctx.config;
  const flags: string[] = [];
  if (c.tools?.fs?.workspaceOnly === false) flags.push("tools.fs.workspaceOnly=false");
  if (c.tools?.exec?.applyPatch?.workspaceOnly === false) flags.push("tools.exec.applyPatch.workspaceOnly=false");
  if (c.gateway?.controlUi?.dangerouslyAllowHostHeaderOriginFallback === true)
    flags.push("gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true");
  if (c.hooks?.allowRequestSessionKey === true) flags.push("hooks.allowRequestSessionKey=true");
  if (c.gateway?.tls?.dangerouslyAllowPlaintext === true) flags.push("gateway.tls.dangerouslyAllowPlaintext=true");
  const boxes = [
    ["agents.defaults.sandbox", c.agents?.defaults?.sandbox] as const,
    ...(c.agents?.list ?? []).map((a, i) => [`agents.list.${i}.sandbox`, a.sandbox] as const),
  ];
  for (const [at, sb] of boxes) {
    for (const [k, v] of Object.entries(sb?.docker ?? {}))
      if (k.startsWith("dangerously") && v === true) flags.push(`${at}.docker.${k}=true`);
  }
  const suppressions = c.security?.audit?.suppressions?.length ?? 0;
  if (suppressions > 0) flags.push(`security.audit.suppressions configured (${suppressions})`);
  return flags;
}

/**
 * `config.insecure_or_dangerous_flags` (warn), one finding per weakened switch (reference §9.4):
 * `tools.fs.workspaceOnly=false` (file tools may leave the workspace), `dangerously*` options, etc.
 */
export const dangerousFlagsCheck: AuditCheck = {
  id: "config.insecure_or_dangerous_flags",
  area: "config",
  run(ctx) {
    return enabledFlags(ctx).map((flag) =>
      finding({
        checkId: "config.insecure_or_dangerous_flags",
        severity: "warn",
        title: `Safety switch weakened: ${flag}`,
        detail: `${flag} is set in the config.`,
        remediation: "Remove the setting unless you need it and understand what it opens.",
      }),
    );
  },
};
