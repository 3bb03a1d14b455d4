{{/*
Names, labels and images. Components are "api", "web", "worker", "migrate", "cleanup", "backup", "agent" and
"test"; most helpers take (dict "ctx" $ "component" "api").
*/}}

{{- define "folio.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-folio", or just the release name when it already contains "folio". */}}
{{- define "folio.fullname" -}}
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

{{/* "<fullname>-<component>", e.g. folio-api. */}}
{{- define "folio.componentName" -}}
{{- printf "%s-%s" (include "folio.fullname" .ctx) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Only labels that never change for the life of a release: a Deployment's selector is immutable. */}}
{{- define "folio.selectorLabels" -}}
app.kubernetes.io/name: {{ include "folio.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of pod templates: no helm.sh/chart, so that bumping the chart's version alone does not restart pods.
*/}}
{{- define "folio.podLabels" -}}
{{ include "folio.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: folio
{{- end }}

{{- define "folio.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{ include "folio.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: folio
{{- end }}

{{/*
An image reference from {registry, repository, tag, digest}: (dict "ctx" $ "image" .Values.api.image).
global.imageRegistry wins over the image's registry; an empty tag means the chart's appVersion; a digest, when
given, is appended and is what the node actually pulls.
*/}}
{{- define "folio.image" -}}
{{- $registry := default .image.registry .ctx.Values.global.imageRegistry }}
{{- $ref := printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $ref }}{{ end }}
{{- if .image.digest }}{{ $ref = printf "%s@%s" $ref .image.digest }}{{ end }}
{{- $ref }}
{{- end }}

{{/*
A subchart's Service by its fully qualified name, never asked of a resolver outside the cluster (values.yaml,
clusterDomain). Usage: include "folio.serviceHost" (dict "ctx" . "chart" "postgres")
*/}}
{{- define "folio.serviceHost" -}}
{{- /* A default, not `required`: `helm upgrade --reuse-values` of a release from before this value keeps its old values. */}}
{{- printf "%s.%s.svc.%s" (include "folio.subchartFullname" .) .ctx.Release.Namespace (default "cluster.local" .ctx.Values.clusterDomain) }}
{{- end }}

{{/* The names the subcharts give their objects, computed the way they compute them. */}}
{{- define "folio.subchartFullname" -}}
{{- $values := index .ctx.Values .chart }}
{{- if $values.fullnameOverride }}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .chart $values.nameOverride }}
{{- if contains $name .ctx.Release.Name }}
{{- .ctx.Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .ctx.Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The namespace of the log agent: its own, because its hostPath volume cannot pass PodSecurity "restricted". */}}
{{- define "folio.agentNamespace" -}}
{{- default (printf "%s-agent" .Release.Namespace) .Values.agent.namespace.name }}
{{- end }}

{{/*
The URLs browsers use: https when the Ingress terminates TLS, and ingress.publicPort when the ingress is reached on
a port other than the scheme's default (a kind cluster mapped to 127.0.0.1:8080). A browser's Origin header carries
the port exactly so, which CORS_ORIGINS must match. (dict "ctx" $ "host" "…")
*/}}
{{- define "folio.publicUrl" -}}
{{- $tls := .ctx.Values.ingress.tls.enabled }}
{{- $port := int (default 0 .ctx.Values.ingress.publicPort) }}
{{- printf "%s://%s" (ternary "https" "http" $tls) .host }}
{{- if and $port (ne $port (ternary 443 80 $tls)) }}:{{ $port }}{{ end }}
{{- end }}
{{- define "folio.webUrl" -}}
{{- include "folio.publicUrl" (dict "ctx" . "host" .Values.ingress.hosts.web) }}
{{- end }}
{{- define "folio.apiUrl" -}}
{{- include "folio.publicUrl" (dict "ctx" . "host" .Values.ingress.hosts.api) }}
{{- end }}

{{/* The selector labels the subcharts give their pods: (dict "ctx" $ "chart" "postgres"). */}}
{{- define "folio.subchartSelector" -}}
app.kubernetes.io/name: {{ default .chart (index .ctx.Values .chart).nameOverride }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end }}

{{/* Egress to the cluster DNS (UDP and TCP 53). */}}
{{- define "folio.dnsEgress" -}}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}

{{/*
Egress to the backing services a component needs: (dict "ctx" $ "needs" (list "postgres" …)), with
"namespace" when the client lives in another namespace (the agent). In-cluster services by their pods' labels
and port; external ones through networkPolicy.externalEgress.
*/}}
{{- define "folio.backingEgress" -}}
{{- $ctx := .ctx }}
{{- $ports := dict "postgres" 5432 "redis" 6379 "objectstore" 7070 }}
{{- $external := false }}
{{- range .needs }}
{{- if (index $ctx.Values .).enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "folio.subchartSelector" (dict "ctx" $ctx "chart" .) | nindent 10 }}
      {{- with $.namespace }}
      namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ . }}
      {{- end }}
  ports:
    - port: {{ index $ports . }}
      protocol: TCP
{{- else }}
{{- $external = true }}
{{- end }}
{{- end }}
{{- if and $external $ctx.Values.networkPolicy.externalEgress }}
{{ toYaml $ctx.Values.networkPolicy.externalEgress }}
{{- end }}
{{- end }}
