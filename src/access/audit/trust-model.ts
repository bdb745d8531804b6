import { channelScopes, finding, openPolicies, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Trust-model heuristics (reference §9.4 "Exposure / trust model"):
 * `security.trust_model.multi_user_heuristic` (warn) when open policies, `"*"` allowlists or
 * allowlisted groups suggest several people use the bot; `security.trust_model.group_scope_main`
 * (warn) when group chats are merged into the main session.
 */
export const trustModelCheck: AuditCheck = {
  id: "security.trust_model",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    const open = openPolicies(ctx.config);
    const groupTargets = channelScopes(ctx.config).filter(
      (s) => s.groupPolicy === "allowlist" && Object.keys(s.groups).some((k) => k !== "*"),
    );
    const wildGroups = channelScopes(ctx.config).filter((s) => s.groupAllowFrom.some((e) => String(e) === "*"));
    if (open.length > 0 || groupTargets.length > 0 || wildGroups.length > 0) {
      const why = [
        ...open.map((p) => `${p} open`),
        ...groupTargets.map((s) => `${s.path}.groups lists group chats`),
        ...wildGroups.map((s) => `${s.path}.groupAllowFrom has "*"`),
      ];
      out.push(
        finding({
          checkId: "security.trust_model.multi_user_heuristic",
          severity: "warn",
          title: "Several people can probably reach this bot",
          detail: `holdfast is a personal assistant with one trust boundary; ${why.join("; ")}.`,
          remediation:
            "Give untrusted people their own gateway, keep tools minimal for group sessions, and keep the sandbox on.",
        }),
      );
    }
    if (ctx.config.session?.groupScope === "main") {
      out.push(
        finding({
          checkId: "security.trust_model.group_scope_main",
          severity: "warn",
          title: "Group chats share the main session",
          detail:
            'session.groupScope is "main": group members see and steer your private conversation (and it is not sandboxed).',
          remediation: 'Remove session.groupScope or set it to "group".',
        }),
      );
    }
    return out;
  },
};
