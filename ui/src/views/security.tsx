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
  const status = useRequest<Record<string, unknown>>(controller, "status");
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

/** The status document as a table of its top-level facts (objects shown as compact JSON). */
function StatusTable({ status }: { status: Record<string, unknown> }) {
  return (
    <table id="status-table">
      <tbody>
        {Object.entries(status).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <code>{typeof v === "string" ? v : JSON.stringify(v)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
