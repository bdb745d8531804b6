import type { Controller } from "../controller.js";
import { useRequest } from "./use-request.js";

interface AuditReport {
  readonly summary: Readonly<Record<string, number>>;
  readonly findings: readonly {
    checkId: string;
    severity: string;
    title: string;
    detail: string;
    remediation: string;
  }[];
}

/** The gateway status (bind, auth, TLS, channels, model) and the `security audit` findings with their fixes. */
export function SecurityView({ controller }: { controller: Controller }) {
  const status = useRequest<StatusDoc>(controller, "status");
  const audit = useRequest<AuditReport>(controller, "security.audit");
  return (
    <section class="panel" aria-labelledby="security-h">
      <h2 id="security-h">Security</h2>
      <h3>Gateway status</h3>
      {status.error ? <p class="error">{status.error}</p> : null}
      {status.data ? <StatusTable status={status.data} /> : <p class="empty">Loading…</p>}
      <h3>
        Audit{" "}
        <button type="button" class="quiet" onClick={() => void audit.reload()}>
          Run again
        </button>
      </h3>
      {audit.error ? <p class="error">{audit.error}</p> : null}
      {audit.data ? (
        <p id="audit-summary">
          {["critical", "warn", "info"].map((s) => `${audit.data?.summary[s] ?? 0} ${s}`).join(" · ")}
        </p>
      ) : null}
      <ul id="findings" class="cards">
        {audit.data?.findings.map((f) => (
          <li key={f.checkId + f.title} class={`finding sev-${f.severity}`} data-check={f.checkId}>
            <p>
              <span class="sev">{f.severity}</span> <strong>{f.title}</strong>
            </p>
            <p>{f.detail}</p>
            <p class="fix">
              <span class="label">Fix:</span> {f.remediation}
            </p>
            <p class="meta">{f.checkId}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface StatusDoc {
  readonly version?: string;
  readonly gateway?: {
    bind?: string;
    hosts?: string[];
    port?: number;
    auth?: { mode?: string };
    tls?: { enabled?: boolean };
    tailscale?: { mode?: string };
  };
  readonly channelAccounts?: readonly {
    channel: string;
    accountId: string;
    state: string;
    mode?: string;
    errorCode?: string;
  }[];
  readonly agentModels?: Readonly<Record<string, readonly string[]>>;
  readonly storage?: { ok?: boolean };
  readonly [k: string]: unknown;
}

/** The facts an operator checks first (bind, auth, TLS, channels, models), then the whole document folded. */
function StatusTable({ status }: { status: StatusDoc }) {
  const g = status.gateway ?? {};
  const rows: [string, string][] = [
    ["Bind", `${g.bind ?? "?"} (${(g.hosts ?? []).join(", ")}${g.port ? `, port ${g.port}` : ""})`],
    ["Auth mode", g.auth?.mode ?? "?"],
    ["TLS", g.tls?.enabled ? "on" : "off"],
    ["Tailscale", g.tailscale?.mode ?? "off"],
    [
      "Channels",
      (status.channelAccounts ?? [])
        .map(
          (c) =>
            `${c.channel}/${c.accountId}: ${c.state}${c.mode ? ` (${c.mode})` : ""}${c.errorCode ? ` ${c.errorCode}` : ""}`,
        )
        .join("; ") || "none configured",
    ],
    [
      "Models",
      Object.entries(status.agentModels ?? {})
        .map(([agent, refs]) => `${agent}: ${refs.join(" → ") || "auto"}`)
        .join("; ") || "?",
    ],
    ["Storage", status.storage?.ok === false ? "degraded" : "ok"],
    ["Version", status.version ?? "?"],
  ];
  return (
    <>
      <table id="status-table">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details class="raw-status">
        <summary>Full status document</summary>
        <pre>{JSON.stringify(status, null, 2)}</pre>
      </details>
    </>
  );
}
