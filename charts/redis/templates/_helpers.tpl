{{/* Names: "<release>-redis" unless the release name already contains "redis". */}}
{{- define "redis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "redis.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Selector labels never include anything that changes between releases (version, chart). */}}
{{- define "redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "redis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: cache
{{- end }}

{{/* Pod template labels: no helm.sh/chart, so a chart version bump alone restarts nothing. */}}
{{- define "redis.podLabels" -}}
{{ include "redis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{- define "redis.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "redis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* registry/repository:tag@digest; the digest, when given, is what the node pulls. */}}
{{- define "redis.image" -}}
{{- $registry := default .Values.image.registry (.Values.global).imageRegistry }}
{{- $ref := printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $ref }}{{ end }}
{{- if .Values.image.digest }}{{ $ref = printf "%s@%s" $ref .Values.image.digest }}{{ end }}
{{- $ref }}
{{- end }}

{{/*
The Secret holding the password (key "redis-password"): auth.existingSecret (templated, so an umbrella
chart can pass "{{ .Release.Name }}-credentials"), else the one this chart creates.
*/}}
{{- define "redis.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- tpl .Values.auth.existingSecret . }}
{{- else }}
{{- include "redis.fullname" . }}
{{- end }}
{{- end }}

{{/* Written out (Kubernetes would add 300 s by itself) so that they are visible and tunable. */}}
{{- define "redis.nodeFailureTolerations" -}}
- key: node.kubernetes.io/not-ready
  operator: Exists
  effect: NoExecute
  tolerationSeconds: {{ .Values.nodeFailure.notReadyTolerationSeconds }}
- key: node.kubernetes.io/unreachable
  operator: Exists
  effect: NoExecute
  tolerationSeconds: {{ .Values.nodeFailure.unreachableTolerationSeconds }}
{{- end }}

{{/* valkey.conf; the pod hashes it, so a change restarts the server (Valkey reads it only at start). */}}
{{- define "redis.config" -}}
bind * -::*
port 6379
dir /data
# Durability: every write is appended to a file on the volume; a restart replays it.
appendonly yes
appendfsync {{ .Values.config.appendfsync }}
# A job queue must not lose keys to eviction: refuse writes when full instead (BullMQ requires this).
maxmemory {{ .Values.config.maxmemory }}
maxmemory-policy noeviction
# Protected mode only guards a server without a password bound to all interfaces; the password (when on)
# and the NetworkPolicy do that job here.
protected-mode no
# The password, written at start from the Secret so it is never part of this ConfigMap.
include /run/valkey/auth.conf
{{- end }}
