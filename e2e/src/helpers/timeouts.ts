/**
 * Every wait in the suite has a name and a bound here, in seconds. A slow machine can lengthen one without
 * editing code: FOLIO_E2E_TIMEOUT_NODE_NOT_READY=180 pnpm e2e. The defaults hold on a busy 2-core machine with
 * the kind cluster's settings (node-monitor-grace-period 30 s, tolerations 20 s in values-kind.yaml).
 */
export const DEFAULT_TIMEOUTS = {
  /** A killed or stopped node turns NotReady: grace period (30 s) plus a status sync. */
  NODE_NOT_READY: 90,
  /** A started node is Ready again: container, systemd, kubelet. */
  NODE_READY: 120,
  /** A deleted or evicted pod is back and Ready (volume attach, database recovery included). */
  POD_READY: 240,
  /** The application answers writes again after a fault is undone. */
  RECOVERY: 240,
  /** Media uploaded before or during a fault have been processed. */
  MEDIA_READY: 300,
  /** A mounted ConfigMap's change reaches the process (kubelet's sync period is about a minute). */
  CONFIG_PROPAGATION: 180,
  /** A rollout (helm upgrade or rollback) completes. */
  ROLLOUT: 300,
  /** A Job made from a CronJob completes. */
  JOB: 300,
  /** A NetworkPolicy rule is in force after a pod or policy change. */
  NETWORK_POLICY: 30,
} as const;

export type TimeoutName = keyof typeof DEFAULT_TIMEOUTS;

/** Milliseconds for a named wait, from FOLIO_E2E_TIMEOUT_<NAME> (seconds) or the default. */
export function timeout(name: TimeoutName, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[`FOLIO_E2E_TIMEOUT_${name}`];
  if (raw === undefined || raw === "") return DEFAULT_TIMEOUTS[name] * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`FOLIO_E2E_TIMEOUT_${name} must be a positive number of seconds, not ${raw}`);
  return seconds * 1000;
}
