import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { normalizeSenderId } from "../normalize.js";

/** Channels whose allowlists can match display names under `dangerouslyAllowNameMatching` (reference §4.1). */
const NAME_CHANNELS = new Set(["discord", "slack"]);

/**
 * Name matching (reference §4.1, §9.4): `channels.<ch>.allowFrom.dangerous_name_matching_enabled`
 * (info) when an account matches display names and handles — anyone can take a free name —, and
 * `channels.<ch>.allowFrom.mutable_entries_inert` (warn) when allowlists hold names (or anything
 * else that is not a user id) while name matching is off: those entries admit nobody.
 */
export const nameMatchingCheck: AuditCheck = {
  id: "channels.allowFrom.name_matching",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config).filter((c) => NAME_CHANNELS.has(c.channel))) {
      if (s.nameMatching) {
        out.push(
          finding({
            checkId: `channels.${s.channel}.allowFrom.dangerous_name_matching_enabled`,
            severity: "info",
            title: `Display names admit senders on ${s.path}`,
            detail: `${s.path}.dangerouslyAllowNameMatching is true: allowlist names match whoever uses that name or handle now.`,
            remediation: `List user ids in ${s.path}.allowFrom and remove dangerouslyAllowNameMatching.`,
          }),
        );
        continue;
      }
      const entries = [
        ...s.allowFrom,
        ...s.groupAllowFrom,
        ...Object.values(s.groups).flatMap((g) => g.allowFrom ?? []),
      ].map(String);
      const inert = [
        ...new Set(entries.filter((e) => e.trim() !== "*" && normalizeSenderId(s.channel, e) === undefined)),
      ];
      if (inert.length === 0) continue;
      out.push(
        finding({
          checkId: `channels.${s.channel}.allowFrom.mutable_entries_inert`,
          severity: "warn",
          title: `Allowlist entries on ${s.path} that match nobody`,
          detail: `${inert.slice(0, 5).join(", ")}${inert.length > 5 ? ", ..." : ""}: ${s.channel} matches user ids only (names match only with dangerouslyAllowNameMatching).`,
          remediation: `Replace them with user ids (${s.channel === "slack" ? "U…" : "numeric snowflakes"}; the pairing reply shows a sender's id).`,
        }),
      );
    }
    return out;
  },
};
