import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { ChannelManager } from "./manager.js";

const LogoutParams = z.strictObject({
  channel: z.string().min(1).max(64),
  accountId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a non-blank account id (letters, digits, - and _)")
    .optional(),
});

/**
 * The channel methods of the gateway: `channels.status` (`operator.read`) → `{accounts: [{channel,
 * accountId, state, mode?, botUsername?, errorCode?, sinceMs?, lastError?: {code, message, atMs},
 * detail?}]}`, what `holdfast channels status` prints (no secrets: platform messages have the
 * account's credentials and URLs masked); `channels.logout`
 * (`operator.admin`, reference §10.3) `{channel, accountId?}` → `{loggedOut: [{channel, accountId}]}`:
 * the accounts stop receiving and refuse every later send until the gateway restarts.
 */
export function channelMethods(manager: Pick<ChannelManager, "status" | "logout">): AnyMethodDef[] {
  return [
    defineMethod({
      name: "channels.status",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => ({ accounts: manager.status() }),
    }),
    defineMethod({
      name: "channels.logout",
      scope: "operator.admin",
      params: LogoutParams,
      handler: async (p) => ({ loggedOut: await manager.logout(p.channel, p.accountId) }),
    }),
  ];
}
