import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Several DM senders sharing the main session (`session.dmScope: "main"`): one person can read what
 * another told the bot. `channels.<ch>.dm.scope_main_multiuser` warn (reference §9.4a); seeds "Session
 * isolation for multi-user DMs".
 */
export const dmScopeMainCheck: AuditCheck = {
  id: "channels.dm.scope_main_multiuser",
  area: "access",
  run(ctx) {
    if ((ctx.config.session?.dmScope ?? "per-channel-peer") !== "main") return [];
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config)) {
      if (s.dmPolicy === "disabled") continue;
      const many =
        s.dmPolicy === "open" ||
        s.dmPolicy === "pairing" ||
        s.allowFrom.length > 1 ||
        s.allowFrom.some((e) => String(e) === "*");
      if (!many) continue;
      out.push(
        finding({
          checkId: `channels.${s.channel}.dm.scope_main_multiuser`,
          severity: "warn",
          title: `DM senders on ${s.path} share one session`,
          detail: `session.dmScope is "main": every admitted DM sender on ${s.path} talks into the same conversation and sees its history.`,
          remediation: `Set session.dmScope to "per-channel-peer" (or "per-account-channel-peer" for multi-account channels).`,
        }),
      );
    }
    return out;
  },
};
