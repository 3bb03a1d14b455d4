{{/* Pieces every Folio pod spec shares. */}}

{{/*
PodSecurity "restricted": a numeric non-root user (the node images' "node" user is 1000; a name could not be
checked against runAsNonRoot), the runtime's default seccomp profile, no privilege escalation, no capabilities,
and a read-only root filesystem (writable paths are emptyDir volumes).
*/}}
{{- define "folio.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The backup's pods (the CronJob and the backup-check Job) run as the postgres image's "postgres" user (999), whose
pg_dump they use; fsGroup makes the backups volume writable for it. One definition, so the check runs as exactly
the user the nightly dump runs as.
*/}}
{{- define "folio.backupPodSecurityContext" -}}
runAsNonRoot: true
runAsUser: 999
runAsGroup: 999
fsGroup: 999
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "folio.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{/*
Kubernetes adds these two with 300 s to every pod; writing them out makes the time a pod stays bound to a
failed node visible and tunable (values-kind.yaml shortens it so that failover is seen in a workshop).
*/}}
{{- define "folio.tolerations" -}}
- key: node.kubernetes.io/not-ready
  operator: Exists
  effect: NoExecute
  tolerationSeconds: {{ .Values.nodeFailure.notReadyTolerationSeconds }}
- key: node.kubernetes.io/unreachable
  operator: Exists
  effect: NoExecute
  tolerationSeconds: {{ .Values.nodeFailure.unreachableTolerationSeconds }}
{{- with .Values.tolerations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Spread replicas over nodes, so that losing one node leaves replicas elsewhere. matchLabelKeys makes a rolling
update count only the new ReplicaSet's pods; nodeTaintsPolicy Honor leaves out nodes the pods cannot run on
(the control plane), which would otherwise count as empty domains and block scheduling under DoNotSchedule.
*/}}
{{- define "folio.topologySpread" -}}
{{- $spread := .ctx.Values.topologySpread }}
{{- if $spread.enabled }}
topologySpreadConstraints:
  - maxSkew: {{ $spread.maxSkew }}
    topologyKey: {{ $spread.topologyKey }}
    whenUnsatisfiable: {{ $spread.whenUnsatisfiable }}
    nodeTaintsPolicy: Honor
    matchLabelKeys: ["pod-template-hash"]
    labelSelector:
      matchLabels:
        {{- include "folio.selectorLabels" . | nindent 8 }}
{{- end }}
{{- end }}

{{/* Scheduling and pull settings for every Folio pod (not the agent, which runs everywhere). */}}
{{- define "folio.podScheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
tolerations:
  {{- include "folio.tolerations" . | nindent 2 }}
{{- end }}
