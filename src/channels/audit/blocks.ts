import type { AuditContext } from "../../audit/index.js";

type Block = Record<string, unknown> & { enabled?: boolean; accounts?: Record<string, Record<string, unknown>> };

/** Each enabled block of `channels.<channel>` (top level and accounts) with its path; accounts inherit unset keys. */
export function blocks(
  ctx: AuditContext,
  channel: "slack" | "discord" | "signal" | "bluebubbles",
): { path: string; block: Record<string, unknown> }[] {
  const top = ctx.config.channels?.[channel] as Block | undefined;
  if (!top || top.enabled === false) return [];
  const { accounts, ...rest } = top;
  const out = [{ path: `channels.${channel}`, block: rest }];
  for (const [id, a] of Object.entries(accounts ?? {}))
    if (a.enabled !== false) out.push({ path: `channels.${channel}.accounts.${id}`, block: { ...rest, ...a } });
  return out;
}
