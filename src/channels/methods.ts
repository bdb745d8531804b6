import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { ChannelManager } from "./manager.js";
import type { WebLogin } from "./web-login.js";

const AccountId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "a non-blank account id (letters, digits, - and _)")
  .optional();
const LogoutParams = z.strictObject({
  channel: z.string().min(1).max(64),
  accountId: AccountId,
});

const TimeoutMs = z.number().int().min(0).max(600_000).optional();
/** OpenClaw's params; `verbose` (its console logging) changes nothing here. */
const LoginStartParams = z.strictObject({
  accountId: AccountId,
  force: z.boolean().optional(),
  timeoutMs: TimeoutMs,
  verbose: z.boolean().optional(),
});
const LoginWaitParams = z.strictObject({
  accountId: AccountId,
  timeoutMs: TimeoutMs,
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

/**
 * WhatsApp device linking through the running gateway, with OpenClaw's names (scope `operator.admin`):
 * `web.login.start` `{accountId?, force?, timeoutMs?, verbose?}` → `{accountId, message, qrDataUrl?,
 * qr?}` (the current pairing QR as an SVG data URL and as text; a running linking's QR unless `force`
 * restarts it; no QR when the account is already linked; `timeoutMs` bounds the wait for WhatsApp's
 * first QR, default 30000; `verbose` is accepted for OpenClaw clients and changes nothing); `web.login.wait` `{accountId?, timeoutMs?}` (default 120000,
 * at most 600000) → `{accountId, connected, message, pending?, qrDataUrl?, qr?}` once the phone scanned
 * and the credentials were saved (the account's adapter then starts), the linking failed (the reason),
 * or the wait timed out while it still runs (`pending`, with the latest QR). `accountId` defaults to
 * `default`.
 */
export function webLoginMethods(login: Pick<WebLogin, "start" | "wait">): AnyMethodDef[] {
  return [
    defineMethod({
      name: "web.login.start",
      scope: "operator.admin",
      params: LoginStartParams,
      handler: (p) =>
        login.start(p.accountId ?? "default", {
          force: p.force === true,
          ...(p.timeoutMs !== undefined ? { qrTimeoutMs: p.timeoutMs } : {}),
        }),
    }),
    defineMethod({
      name: "web.login.wait",
      scope: "operator.admin",
      params: LoginWaitParams,
      handler: (p) => login.wait(p.accountId ?? "default", p.timeoutMs),
    }),
  ];
}
