import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Telegram allowlist entries that can never match: Telegram admits numeric user ids only (after an
 * optional `telegram:`/`tg:` prefix), so `@username` entries are inert.
 * `channels.telegram.allowFrom.invalid_entries` warn (reference §4.2, §9.4).
 */
export const telegramEntriesCheck: AuditCheck = {
  id: "channels.telegram.allowFrom.invalid_entries",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config).filter((c) => c.channel === "telegram")) {
      const bad = [...s.allowFrom, ...s.groupAllowFrom]
        .map(String)
        .filter((e) => e !== "*" && !/^-?\d+$/.test(e.replace(/^(telegram|tg):/i, "")));
      if (bad.length === 0) continue;
      out.push(
        finding({
          checkId: "channels.telegram.allowFrom.invalid_entries",
          severity: "warn",
          title: `Telegram allowlist entries that never match on ${s.path}`,
          detail: `${bad.slice(0, 5).join(", ")}${bad.length > 5 ? ", ..." : ""}: Telegram matches numeric user ids only.`,
          remediation: "Replace usernames with numeric Telegram user ids (the pairing reply shows a sender's id).",
        }),
      );
    }
    return out;
  },
};
