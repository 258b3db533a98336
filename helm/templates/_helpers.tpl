{{/* Names and labels. */}}
{{- define "mcp-atlassian.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mcp-atlassian.fullname" -}}
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

{{- define "mcp-atlassian.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcp-atlassian.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mcp-atlassian.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mcp-atlassian.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mcp-atlassian.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mcp-atlassian.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when more than one pod can serve at once: several replicas or autoscaling. */}}
{{- define "mcp-atlassian.multiReplica" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* "true" when the server runs with --stateless (STATELESS=true). */}}
{{- define "mcp-atlassian.stateless" -}}
{{- if eq (toString .Values.stateless) "auto" }}
{{- if and (include "mcp-atlassian.multiReplica" .) (eq .Values.transport "streamable-http") }}true{{ end }}
{{- else if .Values.stateless }}true{{ end }}
{{- end }}

{{/* The Secret the credentials come from. */}}
{{- define "mcp-atlassian.secretName" -}}
{{- default (include "mcp-atlassian.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* Refuse combinations that cannot work, with the fix. */}}
{{- define "mcp-atlassian.validate" -}}
{{- $multi := include "mcp-atlassian.multiReplica" . }}
{{- if and (include "mcp-atlassian.stateless" .) (ne .Values.transport "streamable-http") }}
{{- fail "stateless: --stateless works with transport streamable-http only; set transport: streamable-http, or stateless: false with one replica" }}
{{- end }}
{{- if and $multi (not (include "mcp-atlassian.stateless" .)) (ne .Values.service.sessionAffinity "ClientIP") }}
{{- fail "several replicas keep MCP sessions in separate pods: use transport streamable-http with stateless auto/true, or set service.sessionAffinity: ClientIP" }}
{{- end }}
{{- if and $multi .Values.tokenStore.enabled (not .Values.tokenStore.existingClaim) (has "ReadWriteOnce" .Values.tokenStore.accessModes) }}
{{- fail "tokenStore: a ReadWriteOnce volume cannot be shared by several replicas; use tokenStore.accessModes [ReadWriteMany] or one replica" }}
{{- end }}
{{- end }}
