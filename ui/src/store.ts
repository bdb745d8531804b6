import { useEffect, useState } from "preact/hooks";

/** A tiny observable state container: views re-render when {@link update} is called. */
export class Store<S extends object> {
  private readonly listeners = new Set<() => void>();
  constructor(private current: S) {}

  get(): S {
    return this.current;
  }

  update(patch: Partial<S> | ((s: S) => Partial<S>)): void {
    const p = typeof patch === "function" ? patch(this.current) : patch;
    this.current = { ...this.current, ...p };
    for (const l of this.listeners) l();
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** The store's state, re-rendering the calling component on every change. */
export function useStore<S extends object>(store: Store<S>): S {
  const [, tick] = useState(0);
  useEffect(() => store.subscribe(() => tick((n) => n + 1)), [store]);
  return store.get();
}
