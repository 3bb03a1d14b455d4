/**
 * Loads something for a component (data that is not the page's own, which route loaders fetch): reloads when
 * `key` changes, cancels the previous request, and never shows an older answer for a newer key.
 * `key: null` loads nothing.
 */
import { useCallback, useEffect, useEffectEvent, useState } from "react";

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useResource<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown }>();
  const [generation, setGeneration] = useState(0);
  const run = useEffectEvent(load);

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    run(controller.signal).then(
      (data) => setState({ key, data }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ key, error });
      },
    );
    return () => controller.abort();
  }, [key, generation]);

  const current = state?.key === key ? state : undefined;
  return {
    data: current?.data,
    error: current?.error,
    loading: key !== null && current === undefined,
    reload: useCallback(() => setGeneration((value) => value + 1), []),
  };
}
