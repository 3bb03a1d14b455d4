{{/*
Settings shared by several apps, as YAML maps of strings for the ConfigMaps. Connection details only: passwords
come from the credentials Secret and are combined into DATABASE_URL/REDIS_URL by the kubelet ("folio.secretEnv").
*/}}

{{- define "folio.config.database" -}}
{{- if .Values.postgres.enabled }}
DATABASE_HOST: {{ include "folio.serviceHost" (dict "ctx" . "chart" "postgres") | quote }}
DATABASE_PORT: {{ .Values.postgres.service.port | quote }}
DATABASE_NAME: {{ .Values.postgres.auth.database | quote }}
DATABASE_USER: {{ .Values.postgres.auth.username | quote }}
{{- else }}
DATABASE_HOST: {{ required "externalDatabase.host is required when postgres.enabled is false" .Values.externalDatabase.host | quote }}
DATABASE_PORT: {{ .Values.externalDatabase.port | quote }}
DATABASE_NAME: {{ .Values.externalDatabase.database | quote }}
DATABASE_USER: {{ .Values.externalDatabase.username | quote }}
{{- end }}
{{- end }}

{{- define "folio.config.redis" -}}
{{- if .Values.redis.enabled }}
REDIS_HOST: {{ include "folio.serviceHost" (dict "ctx" . "chart" "redis") | quote }}
REDIS_PORT: {{ .Values.redis.service.port | quote }}
{{- else }}
REDIS_HOST: {{ required "externalRedis.host is required when redis.enabled is false" .Values.externalRedis.host | quote }}
REDIS_PORT: {{ .Values.externalRedis.port | quote }}
{{- end }}
{{- end }}

{{- define "folio.config.s3" -}}
{{- if .Values.objectstore.enabled }}
S3_ENDPOINT: {{ printf "http://%s:%v" (include "folio.serviceHost" (dict "ctx" . "chart" "objectstore")) .Values.objectstore.service.port | quote }}
S3_REGION: {{ .Values.objectstore.region | quote }}
S3_FORCE_PATH_STYLE: "true"
{{- else }}
{{- with .Values.externalS3.endpoint }}
S3_ENDPOINT: {{ . | quote }}
{{- end }}
S3_REGION: {{ .Values.externalS3.region | quote }}
S3_FORCE_PATH_STYLE: {{ .Values.externalS3.forcePathStyle | quote }}
{{- end }}
S3_BUCKET: {{ .Values.s3.bucket | quote }}
{{- end }}

{{/*
Environment entries from the credentials Secret, plus the URLs built from them: (dict "ctx" $ "needs" (list
"database" "redis" "s3" "app") "secret" "<name>"). "$(VAR)" is expanded by the kubelet from variables defined
before it (the ConfigMap's, loaded with envFrom, and the entries above it), so a password never has to be in a
ConfigMap. That is why generated passwords are URL-safe.
*/}}
{{- define "folio.secretEnv" -}}
{{- $ctx := .ctx }}
{{- $secret := default (include "folio.credentialsSecretName" $ctx) .secret }}
{{- if has "database" .needs }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: postgres-password
- name: DATABASE_URL
  value: {{ printf "postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_NAME)%s" (ternary "" (printf "?sslmode=%s" $ctx.Values.externalDatabase.sslmode) (or $ctx.Values.postgres.enabled (not $ctx.Values.externalDatabase.sslmode))) | quote }}
{{- end }}
{{- if has "redis" .needs }}
{{- $scheme := ternary "redis" (ternary "rediss" "redis" $ctx.Values.externalRedis.tls) $ctx.Values.redis.enabled }}
{{- if include "folio.redisAuth" $ctx }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: redis-password
- name: REDIS_URL
  value: {{ printf "%s://:$(REDIS_PASSWORD)@$(REDIS_HOST):$(REDIS_PORT)" $scheme | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "%s://$(REDIS_HOST):$(REDIS_PORT)" $scheme | quote }}
{{- end }}
{{- end }}
{{- if has "s3" .needs }}
- name: S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: s3-access-key-id
- name: S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: s3-secret-access-key
{{- end }}
{{- if has "app" .needs }}
- name: JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: jwt-secret
- name: ADMIN_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: admin-password
{{- end }}
{{- end }}

{{/* Merges a component's settings with its `env` value (which wins) and prints them sorted: one definition
for both the ConfigMap and its checksum. */}}
{{- define "folio.mergeEnv" -}}
{{- $merged := mustMergeOverwrite (.base | fromYaml) (deepCopy .extra) }}
{{- $lines := list }}
{{- range $key, $value := $merged }}
{{- $lines = append $lines (printf "%s: %s" $key ($value | toString | quote)) }}
{{- end }}
{{- join "\n" $lines }}
{{- end }}

{{/* Each app's ConfigMap data. */}}
{{- define "folio.api.config" -}}
{{- $base := printf "%s\n%s\n%s\n%s" (include "folio.config.database" .) (include "folio.config.redis" .) (include "folio.config.s3" .) (include "folio.api.ownConfig" .) }}
{{- include "folio.mergeEnv" (dict "base" $base "extra" .Values.api.env) }}
{{- end }}

{{- define "folio.api.ownConfig" -}}
LOG_LEVEL: {{ .Values.logLevel | quote }}
PORT: "8080"
FLAGS_FILE: /etc/folio/flags/flags.json
CORS_ORIGINS: {{ include "folio.webUrl" . | quote }}
ADMIN_EMAIL: {{ .Values.admin.email | quote }}
S3_CREATE_BUCKET: "true"
{{- end }}

{{- define "folio.web.config" -}}
{{- $base := printf "LOG_LEVEL: %s\nPORT: \"8080\"\nAPI_URL: %s" (.Values.logLevel | quote) (include "folio.apiUrl" . | quote) }}
{{- include "folio.mergeEnv" (dict "base" $base "extra" .Values.web.env) }}
{{- end }}

{{- define "folio.worker.config" -}}
{{- $own := printf "LOG_LEVEL: %s\nWORKER_PORT: \"8081\"\nWORKER_CONCURRENCY: %s\nSCRATCH_DIR: /scratch" (.Values.logLevel | quote) (.Values.worker.concurrency | toString | quote) }}
{{- $base := printf "%s\n%s\n%s\n%s" (include "folio.config.database" .) (include "folio.config.redis" .) (include "folio.config.s3" .) $own }}
{{- include "folio.mergeEnv" (dict "base" $base "extra" .Values.worker.env) }}
{{- end }}

{{- define "folio.cleanup.config" -}}
{{- $base := printf "%s\n%s\n%s\nLOG_LEVEL: %s" (include "folio.config.database" .) (include "folio.config.redis" .) (include "folio.config.s3" .) (.Values.logLevel | quote) }}
{{- include "folio.mergeEnv" (dict "base" $base "extra" .Values.cleanup.env) }}
{{- end }}

{{- define "folio.agent.config" -}}
{{- $watch := .Values.agent.watchNamespaces | default (list .Release.Namespace) | join "," }}
{{- $own := printf "LOG_LEVEL: %s\nAGENT_PORT: \"8082\"\nLOG_DIR: /var/log/pods\nSTATE_DIR: /var/lib/folio-agent\nWATCH_NAMESPACES: %s\nAGENT_VERSION: %s" (.Values.logLevel | quote) ($watch | quote) (default .Chart.AppVersion .Values.agent.image.tag | quote) }}
{{- $base := printf "%s\n%s" (include "folio.config.redis" .) $own }}
{{- include "folio.mergeEnv" (dict "base" $base "extra" .Values.agent.env) }}
{{- end }}

{{/* A YAML map of strings as a list of env entries (for Jobs that have no ConfigMap of their own). */}}
{{- define "folio.envList" -}}
{{- range $key, $value := (. | fromYaml) }}
- name: {{ $key }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
