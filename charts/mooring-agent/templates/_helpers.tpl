{{/* Chart name, overridable. */}}
{{- define "mooring-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name when it already holds the chart name. */}}
{{- define "mooring-agent.fullname" -}}
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

{{- define "mooring-agent.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mooring-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mooring-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mooring-agent.labels" -}}
helm.sh/chart: {{ include "mooring-agent.chart" . }}
{{ include "mooring-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ include "mooring-agent.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: mooring
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mooring-agent.serviceAccountName" -}}
{{- include "mooring-agent.fullname" . }}
{{- end }}

{{- define "mooring-agent.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | toString }}
{{- end }}

{{- define "mooring-agent.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "mooring-agent.imageTag" .) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret holding the token: the existing one when given, else the
chart's own. Fails with a clear message when neither a token nor an existing
Secret is set.
*/}}
{{- define "mooring-agent.secretName" -}}
{{- if .Values.config.existing_secret_name -}}
{{- .Values.config.existing_secret_name }}
{{- else if .Values.config.token -}}
{{- include "mooring-agent.fullname" . }}
{{- else -}}
{{- fail "mooring-agent: an agent token is required. Set config.token (--set config.token=YOUR_UNIQUE_TOKEN, given when the cluster is imported) or config.existing_secret_name (with config.secret_key) to use a Secret you created." }}
{{- end }}
{{- end }}

{{- define "mooring-agent.secretKey" -}}
{{- if .Values.config.existing_secret_name -}}
{{- .Values.config.secret_key | default "token" }}
{{- else -}}
token
{{- end }}
{{- end }}

{{/* True (non-empty) when the chart makes the token Secret itself. */}}
{{- define "mooring-agent.createSecret" -}}
{{- if and .Values.config.token (not .Values.config.existing_secret_name) -}}
true
{{- end }}
{{- end }}

{{/* Renders a number as a plain decimal string (never 1e+06). */}}
{{- define "mooring-agent.num" -}}
{{- int64 . | toString | quote }}
{{- end }}

{{/* Environment the chart sets, as a YAML list. */}}
{{- define "mooring-agent.env" -}}
- name: MOORING_PLATFORM_URL
  value: {{ .Values.config.platform_url | quote }}
- name: MOORING_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "mooring-agent.secretName" . }}
      key: {{ include "mooring-agent.secretKey" . }}
- name: MOORING_LOG_LEVEL
  value: {{ .Values.log_level | quote }}
- name: MOORING_NATS_WORKER_MAX_WORKERS
  value: {{ include "mooring-agent.num" .Values.nats_worker_max_workers }}
- name: MOORING_READ_WORKER_COUNT
  value: {{ include "mooring-agent.num" .Values.read_worker_count }}
- name: MOORING_WRITE_WORKER_COUNT
  value: {{ include "mooring-agent.num" .Values.write_worker_count }}
- name: MOORING_K8S_WATCH_ENABLED
  value: {{ .Values.k8s_watch.enabled | toString | quote }}
- name: MOORING_PUBLIC_IP_REPORTING_ENABLED
  value: {{ .Values.public_ip.reporting_enabled | toString | quote }}
- name: MOORING_PUBLIC_IP_LOOKUP_URL
  value: {{ .Values.public_ip.lookup_url | quote }}
- name: MOORING_PUBLIC_IP_REFRESH_SECONDS
  value: {{ include "mooring-agent.num" .Values.public_ip.refresh_seconds }}
- name: MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS
  value: {{ include "mooring-agent.num" .Values.public_ip.lookup_timeout_seconds }}
- name: MOORING_HTTP_PORT
  value: "8080"
- name: MOORING_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: MOORING_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MOORING_RELEASE_NAME
  value: {{ .Release.Name | quote }}
- name: HOME
  value: /home/mooring
- name: NODE_OPTIONS
  value: "--max-semi-space-size=1"
- name: MALLOC_ARENA_MAX
  value: "2"
- name: NODE_COMPILE_CACHE
  value: /tmp/node-compile-cache
{{- end }}
