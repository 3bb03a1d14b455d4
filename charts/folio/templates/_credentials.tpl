{{/*
The credentials Secret holds every secret value of the release: the API's JWT signing key and first admin
password, and the passwords and keys of PostgreSQL, Valkey and the S3 server (the subcharts read it through
their auth.existingSecret), so there is one place to rotate, back up or replace them.
*/}}

{{- define "folio.credentialsSecretName" -}}
{{- default (printf "%s-credentials" .Release.Name) .Values.credentials.existingSecret }}
{{- end }}

{{/* Whether the apps authenticate to Redis at all. */}}
{{- define "folio.redisAuth" -}}
{{- if .Values.redis.enabled }}{{ ternary "true" "" .Values.redis.auth.enabled }}{{ else }}{{ ternary "true" "" .Values.externalRedis.auth }}{{ end }}
{{- end }}

{{/*
Every value of the credentials Secret, base64-encoded, as JSON (`include "folio.credentials" . | fromJson`).
Each one is the value given in `credentials`, else the one already in the cluster (lookup: kept across
upgrades), else random for the services this release runs; an external service's must be given. Computed
once per render and kept in .Values, so the Secret, the agent's copy of the Redis password and the checksum
annotations agree. `helm template` cannot look anything up, so it shows new random values on every run.
Empty when credentials.existingSecret names a Secret managed elsewhere.
*/}}
{{- define "folio.credentials" -}}
{{- if not (hasKey .Values "_credentials") }}
{{- $result := dict }}
{{- if not .Values.credentials.existingSecret }}
{{- $existing := (lookup "v1" "Secret" .Release.Namespace (include "folio.credentialsSecretName" .)).data | default dict }}
{{- $c := .Values.credentials }}
{{- /* key, value given, length when generated (0: must be given), what to set when it is missing */}}
{{- $specs := list
  (list "jwt-secret" $c.jwtSecret 48 "credentials.jwtSecret")
  (list "admin-password" $c.adminPassword 24 "credentials.adminPassword")
  (list "postgres-password" $c.postgresPassword (ternary 32 0 .Values.postgres.enabled) "credentials.postgresPassword (the external database's password)")
  (list "s3-access-key-id" $c.s3AccessKeyId (ternary 20 0 .Values.objectstore.enabled) "credentials.s3AccessKeyId (the external S3 service's key)")
  (list "s3-secret-access-key" $c.s3SecretAccessKey (ternary 40 0 .Values.objectstore.enabled) "credentials.s3SecretAccessKey (the external S3 service's secret)") }}
{{- if include "folio.redisAuth" . }}
{{- $specs = append $specs (list "redis-password" $c.redisPassword (ternary 32 0 .Values.redis.enabled) "credentials.redisPassword (the external Redis password, or externalRedis.auth=false)") }}
{{- end }}
{{- range $specs }}
{{- $key := index . 0 }}{{ $given := index . 1 }}{{ $length := index . 2 }}
{{- if $given }}
{{- $_ := set $result $key ($given | b64enc) }}
{{- else if hasKey $existing $key }}
{{- $_ := set $result $key (index $existing $key) }}
{{- else if $length }}
{{- /* Access key ids are conventionally upper case. */}}
{{- $_ := set $result $key ((eq $key "s3-access-key-id") | ternary (randAlphaNum $length | upper) (randAlphaNum $length) | b64enc) }}
{{- else }}
{{- fail (printf "%s is required, or credentials.existingSecret naming a Secret with the key %q" (index . 3) $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- $_ := set .Values "_credentials" $result }}
{{- end }}
{{- toJson (index .Values "_credentials") }}
{{- end }}

{{/* A pod annotation that changes when the credentials do, so env vars from the Secret are re-read. */}}
{{- define "folio.credentialsChecksum" -}}
{{- $credentials := include "folio.credentials" . | fromJson }}
{{- if $credentials }}
checksum/credentials: {{ toJson $credentials | sha256sum }}
{{- end }}
{{- end }}
