/** A `chat` event with `state: "status"`: what a run is doing now. Unknown phases are shown as they come. */
export interface StatusEvent {
  readonly phase?: string;
  readonly tool?: string;
  readonly attempt?: number;
  readonly maxAttempts?: number;
  readonly attempts?: number;
  readonly model?: string;
  readonly to?: string;
  readonly reason?: string;
}

/**
 * The status line for a run: "thinking", "running exec", "retrying model (2/5)", "switching to model
 * x/y"; any other phase is shown with its underscores as spaces and its attempt count, if any.
 */
export function statusLabel(ev: StatusEvent): string {
  const of = ev.maxAttempts ?? ev.attempts;
  const count = ev.attempt !== undefined ? ` (${ev.attempt}${of !== undefined ? `/${of}` : ""})` : "";
  switch (ev.phase) {
    case "thinking":
      return "thinking";
    case "running_tool":
      return `running ${ev.tool ?? "a tool"}`;
    case "retrying_model":
      return `retrying model${count}${ev.reason ? `: ${ev.reason}` : ""}`;
    case "model_failover": {
      const target = ev.to ?? ev.model;
      return `switching to ${target ? `model ${target}` : "the next model"}${ev.reason ? `: ${ev.reason}` : ""}`;
    }
    default:
      return `${(ev.phase ?? "working").replace(/_/g, " ")}${count}`;
  }
}
