import type { Approval, Controller } from "../controller.js";
import { useStore } from "../store.js";

/**
 * One pending exec approval with approve once / always / deny; a request of a turn that read untrusted
 * content says what it read (the page, webhook, email or sender) above the command, and one that
 * elevated mode moved to the gateway host says so.
 */
export function ApprovalCard({ approval: a, controller }: { approval: Approval; controller: Controller }) {
  const choices: [string, string][] = [
    ["allow-once", "Approve once"],
    ...(a.persistable ? ([["allow-always", "Always"]] as [string, string][]) : []),
    ["deny", "Deny"],
  ];
  return (
    <div class="approval" data-id={a.id} role="group" aria-label={`Approval ${a.id}`}>
      <p>
        <strong>Approval needed</strong> for {a.host ?? "host"}
        {a.elevated ? <span class="elevated"> (elevated)</span> : null} {a.tool ?? "exec"}
        {a.reason && !a.taint ? <span class="reason"> ({a.reason})</span> : null}
      </p>
      {a.taint ? (
        <p class="taint" role="note">
          <strong>Untrusted content:</strong> {a.taint.summary}. It may be trying to make this happen; approve only if
          you asked for it.
        </p>
      ) : null}
      <pre class="command">{a.command}</pre>
      <div class="actions">
        {choices.map(([decision, label]) => (
          <button
            key={decision}
            type="button"
            data-decision={decision}
            class={decision === "deny" ? "danger" : ""}
            onClick={() => void controller.resolveApproval(a.id, decision)}
          >
            {label}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Pending exec approvals of every session, each with a link to its session. */
export function ApprovalsView({ controller }: { controller: Controller }) {
  const s = useStore(controller.store);
  return (
    <section class="panel" aria-labelledby="approvals-h">
      <h2 id="approvals-h">Exec approvals</h2>
      {s.approvals.length === 0 ? <p class="empty">No exec approvals are pending.</p> : null}
      <ul id="approval-list" class="cards">
        {s.approvals.map((a) => (
          <li key={a.id} data-session={a.sessionKey}>
            <p class="meta">
              Session{" "}
              <a
                href="#"
                onClick={(e) => (
                  e.preventDefault(),
                  controller.go({ tab: "chat", session: a.sessionKey ?? "agent:main:main" })
                )}
              >
                {a.sessionKey ?? "(unknown)"}
              </a>
            </p>
            <ApprovalCard approval={a} controller={controller} />
          </li>
        ))}
      </ul>
    </section>
  );
}
