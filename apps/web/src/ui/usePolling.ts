/**
 * Loads `load` now and again every `intervalMs` while `enabled` (and the tab is visible), keeping the last good
 * answer when a refresh fails, so a dashboard shows old data with a warning rather than an empty page.
 * A new `key` starts over. Refreshes never overlap: the next one is scheduled when the previous one ended.
 */
import { useCallback, useEffect, useEffectEvent, useState } from "react";

export interface Polled<T> {
  data: T | undefined;
  /** The last refresh's error; cleared by the next success. */
  error: unknown;
  /** Date.now() of the last success. */
  updatedAt: number | undefined;
  refresh: () => void;
}

export function usePolling<T>(key: string, load: (signal: AbortSignal) => Promise<T>, intervalMs: number, enabled = true): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown; updatedAt?: number }>({ key });
  const [generation, setGeneration] = useState(0);
  const run = useEffectEvent(load);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (document.visibilityState === "visible") {
        try {
          const data = await run(controller.signal);
          setState({ key, data, updatedAt: Date.now() });
        } catch (error) {
          if (controller.signal.aborted) return;
          setState((current) => (current.key === key ? { ...current, error } : { key, error }));
        }
      }
      if (enabled && !controller.signal.aborted) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, intervalMs, enabled, generation]);

  const current = state.key === key ? state : { key };
  return {
    data: current.data,
    error: current.error,
    updatedAt: current.updatedAt,
    refresh: useCallback(() => setGeneration((value) => value + 1), []),
  };
}
