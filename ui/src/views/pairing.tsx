import type { Controller } from "../controller.js";
import { Actions, useRequest } from "./use-request.js";

/** `pairing.list`: per channel, the pending DM pairing requests and the approved senders. */
interface PairingList {
  readonly channels: readonly {
    readonly channel: string;
    readonly requests: readonly {
      code: string;
      senderId: string;
      accountId: string;
      name?: string;
      createdAt: string;
    }[];
    readonly approved: readonly { accountId: string; senderId: string }[];
  }[];
}

/** DM pairing: approve or reject pending requests per channel, revoke approved senders. */
export function PairingView({ controller }: { controller: Controller }) {
  const { data, error, reload } = useRequest<PairingList>(controller, "pairing.list");
  return (
    <section class="panel" aria-labelledby="pairing-h">
      <h2 id="pairing-h">DM pairing</h2>
      {error ? <p class="error">{error}</p> : null}
      {data && data.channels.length === 0 ? <p class="empty">No channel is configured.</p> : null}
      {data?.channels.map((c) => (
        <div key={c.channel} class="channel" data-channel={c.channel}>
          <h3>{c.channel}</h3>
          <h4>Pending requests</h4>
          {c.requests.length === 0 ? <p class="empty">Nobody is waiting.</p> : null}
          <ul class="cards pairing-requests">
            {c.requests.map((r) => (
              <li key={r.code} data-code={r.code} data-sender={r.senderId}>
                <p>
                  <strong>{r.name ?? r.senderId}</strong> ({r.senderId}
                  {r.accountId !== "default" ? `, account ${r.accountId}` : ""}) · code <code>{r.code}</code> ·{" "}
                  {new Date(r.createdAt).toLocaleString()}
                </p>
                <Actions
                  controller={controller}
                  reload={reload}
                  actions={[
                    {
                      label: "Approve",
                      method: "pairing.approve",
                      params: { channel: c.channel, code: r.code, accountId: r.accountId },
                      className: "approve",
                    },
                    {
                      label: "Reject",
                      method: "pairing.reject",
                      params: { channel: c.channel, code: r.code, accountId: r.accountId },
                      danger: true,
                      className: "reject",
                    },
                  ]}
                />
              </li>
            ))}
          </ul>
          <h4>Approved senders</h4>
          {c.approved.length === 0 ? <p class="empty">No sender approved through pairing.</p> : null}
          <ul class="cards pairing-approved">
            {c.approved.map((a) => (
              <li key={`${a.accountId}/${a.senderId}`} data-sender={a.senderId}>
                <p>
                  {a.senderId}
                  {a.accountId !== "default" ? ` (account ${a.accountId})` : ""}
                </p>
                <Actions
                  controller={controller}
                  reload={reload}
                  actions={[
                    {
                      label: "Revoke",
                      method: "pairing.revoke",
                      params: { channel: c.channel, senderId: a.senderId, accountId: a.accountId },
                      danger: true,
                      className: "revoke",
                    },
                  ]}
                />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
