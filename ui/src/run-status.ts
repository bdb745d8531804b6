/**
 * A `chat` event with `state: "status"`: what a run is doing now. Model retries carry `model`, `retry`,
 * `maxRetries`, `delayMs`; failovers `from` and `to`; both a ready-to-show `statusText` that names the
 * cause. Unknown phases are shown as they come.
 */
export interface StatusEvent {
  readonly phase?: string;
  readonly tool?: string;
  readonly model?: string;
  readonly retry?: number;
  readonly maxRetries?: number;
  readonly from?: string;
  readonly to?: string;
  readonly statusText?: string;
}

/**
 * The status line for a run: "thinking", "running exec", "retrying model (2/5)", "switching to model
 * x/y"; a retry or failover ends with the gateway's `statusText` (model, wait and cause); any other phase
 * is shown with its underscores as spaces.
 */
export function statusLabel(ev: StatusEvent): string {
  const detail = ev.statusText ? `: ${ev.statusText}` : "";
  switch (ev.phase) {
    case "thinking":
      return "thinking";
    case "running_tool":
      return `running ${ev.tool ?? "a tool"}`;
    case "retrying_model": {
      const count =
        ev.retry !== undefined ? ` (${ev.retry}${ev.maxRetries !== undefined ? `/${ev.maxRetries}` : ""})` : "";
      return `retrying model${count}${detail}`;
    }
    case "model_failover":
      return `switching to ${ev.to ? `model ${ev.to}` : "the next model"}${detail}`;
    default:
      return `${(ev.phase ?? "working").replace(/_/g, " ")}${detail}`;
  }
}
