import { useCallback, useEffect, useState } from "preact/hooks";
import type { Controller } from "../controller.js";
import { useStore } from "../store.js";

/**
 * Loads `method` when the view opens, after each reconnect and after other gateway events (pairing,
 * devices), and on `reload()`; keeps the last answer while reloading.
 */
export function useRequest<T>(controller: Controller, method: string, params: Record<string, unknown> = {}) {
  const s = useStore(controller.store);
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const key = JSON.stringify(params);
  const reload = useCallback(async () => {
    try {
      setData(await controller.client.request<T>(method, JSON.parse(key) as Record<string, unknown>));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [controller, method, key]);
  useEffect(() => {
    if (s.conn === "connected") void reload();
  }, [s.conn, s.eventTick, reload]);
  return { data, error, reload };
}

/** One button of {@link Actions}: a gateway method and its params; `danger` for the destructive ones. */
export interface ActionSpec {
  readonly label: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly danger?: boolean;
  readonly className?: string;
}

/** A row of buttons that each call a gateway method, then `reload`; a refusal goes to the notice line. */
export function Actions(props: {
  controller: Controller;
  reload: () => Promise<void>;
  actions: readonly ActionSpec[];
}) {
  const { controller, reload } = props;
  return (
    <div class="actions">
      {props.actions.map((a) => (
        <button
          key={a.label}
          type="button"
          class={[a.danger ? "danger" : "", a.className ?? ""].join(" ").trim()}
          onClick={() =>
            void controller.client
              .request(a.method, a.params)
              .then(reload)
              .catch((err: Error) => controller.store.update({ notice: err.message }))
          }
        >
          {a.label}
        </button>
      ))}
    </div>
  );
}
