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
{{- (.Values.service_account).name | default (include "mooring-agent.fullname" .) }}
{{- end }}

{{/* The Service's name: service.name, else the full name. */}}
{{- define "mooring-agent.serviceName" -}}
{{- .Values.service.name | default (include "mooring-agent.fullname" .) }}
{{- end }}

{{/* The image pull policy: image.pull_policy (the original chart's key), else image.pullPolicy. */}}
{{- define "mooring-agent.pullPolicy" -}}
{{- .Values.image.pull_policy | default .Values.image.pullPolicy | default "IfNotPresent" }}
{{- end }}

{{/* Pull secrets from imagePullSecrets and image.pull_secrets (names or {name}), as a YAML list. */}}
{{- define "mooring-agent.pullSecrets" -}}
{{- $out := list }}
{{- range (concat (.Values.imagePullSecrets | default list) (.Values.image.pull_secrets | default list)) }}
{{- if kindIs "string" . }}
{{- $out = append $out (dict "name" .) }}
{{- else }}
{{- $out = append $out (dict "name" (required "every image.pull_secrets entry needs a name" .name)) }}
{{- end }}
{{- end }}
{{- if $out }}
{{- toYaml $out }}
{{- end }}
{{- end }}

{{/*
The container's security context: the secure defaults, then securityContext, then
security_context (the original chart's key) merged over them. A setting that weakens a
default (root, privilege escalation, a writable root filesystem, added capabilities, ALL
not dropped, no seccomp) fails the install unless allow_weaker_security_context is true.
*/}}
{{- define "mooring-agent.securityContext" -}}
{{- $defaults := dict "runAsNonRoot" true "runAsUser" 1000 "runAsGroup" 1000 "readOnlyRootFilesystem" true "allowPrivilegeEscalation" false "capabilities" (dict "drop" (list "ALL")) "seccompProfile" (dict "type" "RuntimeDefault") }}
{{- $sc := mergeOverwrite $defaults (deepCopy (.Values.securityContext | default dict)) (deepCopy (.Values.security_context | default dict)) }}
{{- if not .Values.allow_weaker_security_context }}
{{- $why := list }}
{{- if eq (toString $sc.runAsNonRoot) "false" }}{{ $why = append $why "runAsNonRoot: false" }}{{ end }}
{{- if eq (toString $sc.runAsUser) "0" }}{{ $why = append $why "runAsUser: 0" }}{{ end }}
{{- if eq (toString $sc.readOnlyRootFilesystem) "false" }}{{ $why = append $why "readOnlyRootFilesystem: false" }}{{ end }}
{{- if eq (toString $sc.allowPrivilegeEscalation) "true" }}{{ $why = append $why "allowPrivilegeEscalation: true" }}{{ end }}
{{- if eq (toString $sc.privileged) "true" }}{{ $why = append $why "privileged: true" }}{{ end }}
{{- if ($sc.capabilities).add }}{{ $why = append $why "capabilities.add" }}{{ end }}
{{- if not (has "ALL" (($sc.capabilities).drop | default list)) }}{{ $why = append $why "capabilities.drop without ALL" }}{{ end }}
{{- if eq (toString ($sc.seccompProfile).type) "Unconfined" }}{{ $why = append $why "seccompProfile.type: Unconfined" }}{{ end }}
{{- if $why }}
{{- fail (printf "mooring-agent: security_context weakens the agent's secure defaults (%s). The agent runs as UID 1000 with a read-only root filesystem and needs none of this; set allow_weaker_security_context=true only for a custom image that does." (join ", " $why)) }}
{{- end }}
{{- end }}
{{- toYaml $sc }}
{{- end }}

{{/* The pod's security context: the secure defaults, then podSecurityContext, then pod_security_context; root is refused as above. */}}
{{- define "mooring-agent.podSecurityContext" -}}
{{- $defaults := dict "runAsNonRoot" true "runAsUser" 1000 "runAsGroup" 1000 "fsGroup" 1000 "seccompProfile" (dict "type" "RuntimeDefault") }}
{{- $sc := mergeOverwrite $defaults (deepCopy (.Values.podSecurityContext | default dict)) (deepCopy (.Values.pod_security_context | default dict)) }}
{{- if not .Values.allow_weaker_security_context }}
{{- $why := list }}
{{- if eq (toString $sc.runAsNonRoot) "false" }}{{ $why = append $why "runAsNonRoot: false" }}{{ end }}
{{- if eq (toString $sc.runAsUser) "0" }}{{ $why = append $why "runAsUser: 0" }}{{ end }}
{{- if eq (toString ($sc.seccompProfile).type) "Unconfined" }}{{ $why = append $why "seccompProfile.type: Unconfined" }}{{ end }}
{{- if $why }}
{{- fail (printf "mooring-agent: pod_security_context weakens the agent's secure defaults (%s); set allow_weaker_security_context=true only for a custom image that needs it." (join ", " $why)) }}
{{- end }}
{{- end }}
{{- toYaml $sc }}
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

{{/*
The age key file in the container (the SOPS Secret's key mounted as keys.txt), empty
when no Secret is named.
*/}}
{{- define "mooring-agent.sopsKeyFile" -}}
{{- with (.Values.sops | default dict) -}}
{{- if .existing_secret_name -}}
{{- printf "%s/keys.txt" (trimSuffix "/" (.mount_path | default "/etc/mooring/sops")) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Renders a number as a plain decimal string (never 1e+06). */}}
{{- define "mooring-agent.num" -}}
{{- int64 . | toString | quote }}
{{- end }}

{{/* Environment the chart sets, as a YAML list. */}}
{{- define "mooring-agent.env" -}}
- name: MOORING_PLATFORM_URL
  value: {{ .Values.config.ankra_url | default .Values.config.platform_url | quote }}
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
{{- with (include "mooring-agent.sopsKeyFile" .) }}
- name: MOORING_SOPS_AGE_KEY_FILE
  value: {{ . | quote }}
{{- end }}
- name: HOME
  value: /home/mooring
- name: NODE_OPTIONS
  value: "--max-semi-space-size=1"
- name: MALLOC_ARENA_MAX
  value: "2"
- name: MALLOC_MMAP_THRESHOLD_
  value: "131072"
- name: MALLOC_TRIM_THRESHOLD_
  value: "131072"
- name: NODE_COMPILE_CACHE
  value: /tmp/node-compile-cache
{{- end }}
