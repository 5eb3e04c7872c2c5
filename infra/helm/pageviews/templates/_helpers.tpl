{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "pageviews.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, prefixed to the chart name unless
it already contains it.
*/}}
{{- define "pageviews.fullname" -}}
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

{{- define "pageviews.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "pageviews.labels" -}}
helm.sh/chart: {{ include "pageviews.chart" . }}
{{ include "pageviews.selectorLabels" . }}
app.kubernetes.io/version: {{ (.Values.image.tag | default .Chart.AppVersion) | toString | trunc 63 | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: pageviews
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Immutable selector labels (never add to these after the first install). */}}
{{- define "pageviews.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pageviews.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pageviews.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pageviews.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository:tag@digest when a digest pins the image. Never "latest". */}}
{{- define "pageviews.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion | toString }}
{{- if eq $tag "latest" }}
{{- fail "image.tag \"latest\" is not reproducible: use a version, a commit SHA or image.digest" }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret holding PAGEVIEWS_REDIS_URL, and its key; empty when Redis is not configured. */}}
{{- define "pageviews.redisSecretName" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecret }}
{{- else if .Values.redis.url }}
{{- printf "%s-redis" (include "pageviews.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "pageviews.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecretKey }}
{{- else }}
{{- "PAGEVIEWS_REDIS_URL" }}
{{- end }}
{{- end }}

{{/* TCP port of a URL: the explicit one, else the scheme's default. */}}
{{- define "pageviews.urlPort" -}}
{{- $u := urlParse .url }}
{{- $hostport := splitList ":" $u.host }}
{{- if gt (len $hostport) 1 }}
{{- last $hostport }}
{{- else if eq $u.scheme "http" }}
{{- "80" }}
{{- else if eq $u.scheme "https" }}
{{- "443" }}
{{- else }}
{{- .default | toString }}
{{- end }}
{{- end }}

{{/* Smallest replica count the release can run with (HPA minimum or fixed count). */}}
{{- define "pageviews.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}
{{- .Values.autoscaling.minReplicas }}
{{- else }}
{{- .Values.replicaCount }}
{{- end }}
{{- end }}
