{{/* Names: "<release>-objectstore" unless the release name already contains "objectstore". */}}
{{- define "objectstore.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "objectstore.fullname" -}}
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
{{- define "objectstore.selectorLabels" -}}
app.kubernetes.io/name: {{ include "objectstore.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: object-storage
{{- end }}

{{/* Pod template labels: no helm.sh/chart, so a chart version bump alone restarts nothing. */}}
{{- define "objectstore.podLabels" -}}
{{ include "objectstore.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{- define "objectstore.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "objectstore.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* registry/repository:tag@digest; the digest, when given, is what the node pulls. */}}
{{- define "objectstore.image" -}}
{{- $registry := default .Values.image.registry (.Values.global).imageRegistry }}
{{- $ref := printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $ref }}{{ end }}
{{- if .Values.image.digest }}{{ $ref = printf "%s@%s" $ref .Values.image.digest }}{{ end }}
{{- $ref }}
{{- end }}

{{/*
The Secret holding the root keys (keys "s3-access-key-id" and "s3-secret-access-key"): auth.existingSecret (templated, so an umbrella
chart can pass "{{ .Release.Name }}-credentials"), else the one this chart creates.
*/}}
{{- define "objectstore.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- tpl .Values.auth.existingSecret . }}
{{- else }}
{{- include "objectstore.fullname" . }}
{{- end }}
{{- end }}

{{/* Written out (Kubernetes would add 300 s by itself) so that they are visible and tunable. */}}
{{- define "objectstore.nodeFailureTolerations" -}}
- key: node.kubernetes.io/not-ready
  operator: Exists
  effect: NoExecute
  tolerationSeconds: {{ .Values.nodeFailure.notReadyTolerationSeconds }}
- key: node.kubernetes.io/unreachable
  operator: Exists
  effect: NoExecute
  tolerationSeconds: {{ .Values.nodeFailure.unreachableTolerationSeconds }}
{{- end }}
