import { z } from "zod";
import type { AccessStage } from "../../access/index.js";
import { defineMethod, type AnyMethodDef } from "../../gateway/index.js";

/** What the pairing methods read: the access stage's stores and the configured channels and accounts. */
export interface PairingMethodDeps {
  readonly access: Pick<AccessStage, "pairing">;
  /** Channel ids with DM pairing that are configured (e.g. `telegram`). */
  readonly channels: () => readonly string[];
  /** Account ids of a channel (`default` first). */
  readonly accounts: (channel: string) => readonly string[];
}

const Channel = z.string().min(1).max(64);
const Code = z.object({ channel: Channel, code: z.string().min(1).max(32), accountId: z.string().max(64).optional() });

/**
 * DM pairing for gateway clients, all requiring `operator.pairing` (the same stores and rules as
 * `holdfast pairing`; reference §4.3):
 * - `pairing.list` {channel?} → `{channels: [{channel, requests: [{code, senderId, accountId, name?, createdAt,
 *   lastSeenAt}], approved: [{accountId, senderId}]}]}`;
 * - `pairing.approve` {channel, code, accountId?} → `{ok, channel, senderId, accountId}` (the sender's next DM
 *   reaches the agent); `pairing.reject` {channel, code, accountId?} → the same shape;
 * - `pairing.revoke` {channel, senderId, accountId?} → `{ok, removed}`.
 * Unknown or expired codes answer HF_PAIRING_NOT_FOUND.
 */
export function pairingMethods(d: PairingMethodDeps): AnyMethodDef[] {
  const answer = (channel: string, r: { id: string; meta: { accountId: string } }) => ({
    ok: true,
    channel,
    senderId: r.id,
    accountId: r.meta.accountId,
  });
  return [
    defineMethod({
      name: "pairing.list",
      scope: "operator.pairing",
      params: z.looseObject({ channel: Channel.optional() }),
      async handler(p) {
        const channels = p.channel ? [p.channel] : d.channels();
        return { channels: await Promise.all(channels.map((c) => listChannel(d, c))) };
      },
    }),
    defineMethod({
      name: "pairing.approve",
      scope: "operator.pairing",
      params: Code,
      handler: async (p) => answer(p.channel, await d.access.pairing(p.channel).approve(p.code, p.accountId)),
    }),
    defineMethod({
      name: "pairing.reject",
      scope: "operator.pairing",
      params: Code,
      handler: async (p) => answer(p.channel, await d.access.pairing(p.channel).reject(p.code, p.accountId)),
    }),
    defineMethod({
      name: "pairing.revoke",
      scope: "operator.pairing",
      params: z.object({
        channel: Channel,
        senderId: z.string().min(1).max(128),
        accountId: z.string().max(64).optional(),
      }),
      async handler(p) {
        const removed = await d.access.pairing(p.channel).allow.remove(p.accountId ?? "default", p.senderId);
        return { ok: true, removed };
      },
    }),
  ];
}

async function listChannel(d: PairingMethodDeps, channel: string) {
  const store = d.access.pairing(channel);
  const requests = (await store.list()).map((r) => ({
    code: r.code,
    senderId: r.id,
    accountId: r.meta.accountId,
    ...(r.meta.name ? { name: r.meta.name } : {}),
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
  }));
  const approved = (
    await Promise.all(
      d
        .accounts(channel)
        .map(async (accountId) => (await store.allow.entries(accountId)).map((senderId) => ({ accountId, senderId }))),
    )
  ).flat();
  return { channel, requests, approved };
}
