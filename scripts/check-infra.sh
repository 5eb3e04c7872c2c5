#!/usr/bin/env bash
# Offline checks of the deployment files: Dockerfile, Helm chart, compose file,
# GitHub workflows. No Docker engine, cluster, helm binary or network needed
# (the tools come from the locked `infra` dependency group).
#
#   bash scripts/check-infra.sh
#
#  1. hadolint on the Dockerfile (+ no `# syntax=` line, .dockerignore present).
#  2. bash -n (and shellcheck, when installed) on the shell scripts (scripts/*.sh,
#     scripts/{check,serve,test}, .ci/run).
#  3. The chart's values.schema.json is a valid JSON Schema.
#  4. `helm lint --strict` (helm-python-sdk, i.e. Helm 4) with the default
#     values and with every infra/helm/pageviews/ci/*-values.yaml.
#  5. `helm template` of the same value sets, then scripts/render_chart.py check:
#     custom resources (ServiceMonitor) against the chart's strict schema of
#     them, the chart's invariants (non-root, read-only root, no token, probes,
#     resources, pinned image, matching selectors), and every built-in object
#     with `kubernetes-validate --strict` for each of $KUBE_VERSIONS. A
#     built-in object kubernetes-validate has no schema for (e.g. a removed
#     apiVersion) is a failure, not a warning.
#  6. The values schema rejects bad values (image.tag=latest, a string count).
#  7. compose.yaml against the Compose spec schema.
#  8. .github/workflows/*.yml against GitHub's workflow schema (plus: every job
#     has timeout-minutes) and `zizmor --offline` (pinning, injection,
#     permissions, credential persistence...) with no findings.
# Exits non-zero if anything fails; prints every failure, not just the first.
set -uo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT" || exit 1
CHART=infra/helm/pageviews
KUBE_VERSIONS=${KUBE_VERSIONS:-"1.30.0 1.37.0"}
# A separate environment for the tools, so this never adds to or removes from
# the project's .venv. uv only reaches the network when a wheel is missing
# from its cache; an up-to-date environment syncs offline in well under 1 s.
INFRA_VENV=${INFRA_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/pageviews/infra-venv}

T0=$(date +%s%N)
FAILURES=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pageviews-check-infra.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ms() { echo $((($(date +%s%N) - T0) / 1000000)); }
section() { printf '\n== %s  [%s ms]\n' "$*" "$(ms)"; }
fail() { FAILURES+=("$*"); printf 'FAIL: %s\n' "$*"; }
# run DESCRIPTION -- COMMAND...: run it, record a failure if it fails.
run() {
  local what=$1
  shift 2
  "$@" || fail "$what"
}

section "tools: uv sync --only-group infra -> $INFRA_VENV"
if ! UV_PROJECT_ENVIRONMENT=$INFRA_VENV uv sync --frozen --only-group infra --quiet; then
  echo "cannot install the infra tools (uv sync --only-group infra)" >&2
  exit 2
fi
BIN=$INFRA_VENV/bin
"$BIN/hadolint" --version | head -1
"$BIN/python" -c 'import helm_python as h; print("helm-python-sdk", h.__version__, "(Helm", h.helm_sdk_version() + ")")'
echo "kubernetes-validate $("$BIN/kubernetes-validate" --version), $("$BIN/check-jsonschema" --version), $("$BIN/zizmor" --version)"

# ------------------------------------------------------------------ Dockerfile
section "Dockerfile: hadolint"
run "hadolint Dockerfile" -- "$BIN/hadolint" Dockerfile && echo "hadolint: no findings"
if grep -qiE '^#[[:space:]]*syntax=' Dockerfile; then
  fail "Dockerfile has a '# syntax=' line (BuildKit would fetch a frontend image)"
fi
[[ -f .dockerignore ]] || fail ".dockerignore is missing"

section "shell scripts: bash -n, shellcheck"
shell_scripts=(scripts/*.sh scripts/check scripts/serve scripts/test .ci/run)
for script in "${shell_scripts[@]}"; do
  run "bash -n $script" -- bash -n "$script"
done
if command -v shellcheck >/dev/null 2>&1; then
  run "shellcheck" -- shellcheck -x "${shell_scripts[@]}" && echo "shellcheck: no findings"
else
  echo "shellcheck not installed: skipped (apt-get install shellcheck)"
fi

# ---------------------------------------------------------------------- chart
section "chart: values.schema.json is a valid JSON Schema"
run "values.schema.json metaschema" -- "$BIN/check-jsonschema" --check-metaschema "$CHART/values.schema.json"

VALUE_SETS=(default)
for f in "$CHART"/ci/*-values.yaml; do
  [[ -e $f ]] && VALUE_SETS+=("$f")
done

values_args() { [[ $1 == default ]] || printf -- '-f\n%s\n' "$1"; }

for set in "${VALUE_SETS[@]}"; do
  label=$(basename "$set" .yaml)
  mapfile -t vargs < <(values_args "$set")

  section "chart [$label]: helm lint --strict"
  run "helm lint [$label]" -- "$BIN/python" scripts/render_chart.py lint "$CHART" "${vargs[@]}" \
    --strict --kube-version "v${KUBE_VERSIONS%% *}"

  section "chart [$label]: helm template + invariants + kubernetes-validate --strict ($KUBE_VERSIONS)"
  rendered=$WORK/$label.yaml
  core=$WORK/$label.core.yaml
  if ! "$BIN/python" scripts/render_chart.py template "$CHART" "${vargs[@]}" \
    --kube-version "v${KUBE_VERSIONS%% *}" --api-versions monitoring.coreos.com/v1 \
    --name pageviews --namespace pageviews >"$rendered"; then
    fail "helm template [$label]"
    continue
  fi
  echo "rendered: $(grep -c '^kind:' "$rendered") objects ($(grep '^kind:' "$rendered" | awk '{print $2}' | sort | paste -sd, -))"
  run "chart checks [$label]" -- "$BIN/python" scripts/render_chart.py check "$rendered" --core-out "$core"
  for k in $KUBE_VERSIONS; do
    out=$("$BIN/kubernetes-validate" --strict --quiet -k "$k" "$core" 2>&1)
    rc=$?
    [[ -z $out ]] || echo "$out"
    if ((rc != 0)) || grep -qE '^(WARN|ERROR)' <<<"$out"; then
      fail "kubernetes-validate --strict -k $k [$label]"
    else
      echo "kubernetes-validate --strict -k $k: $(grep -c '^kind:' "$core") objects valid"
    fi
  done
done

section "chart: the values schema rejects bad values"
expect_reject() {
  local what=$1 values=$2
  printf '%s\n' "$values" >"$WORK/bad.yaml"
  if "$BIN/python" scripts/render_chart.py template "$CHART" -f "$WORK/bad.yaml" >/dev/null 2>"$WORK/bad.err"; then
    fail "the chart accepted $what"
  else
    echo "rejected $what: $(grep -v '^$' "$WORK/bad.err" | tail -1)"
  fi
}
expect_reject "image.tag=latest" $'image:\n  tag: latest'
expect_reject "replicaCount: two" 'replicaCount: two'
expect_reject "an unknown key" $'config:\n  wikimediaURL: https://example.org'
expect_reject "a non-redis URL" $'redis:\n  url: http://redis:6379'

# -------------------------------------------------------------------- compose
section "compose.yaml: Compose spec schema"
run "compose.yaml schema" -- "$BIN/check-jsonschema" --builtin-schema vendor.compose-spec compose.yaml

# ------------------------------------------------------------------ workflows
section "GitHub workflows: schema, timeouts, zizmor --offline"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
shopt -u nullglob
if ((${#workflows[@]} == 0)); then
  fail "no workflows under .github/workflows"
else
  run "workflow schema" -- "$BIN/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
  run "workflow timeouts" -- "$BIN/check-jsonschema" --builtin-schema custom.github-workflows-require-timeout "${workflows[@]}"
  # Every `uses:` is pinned to a full commit SHA with a version comment.
  if unpinned=$(grep -nE '^\s*-?\s*uses:' "${workflows[@]}" | grep -vE 'uses:\s*\./' \
    | grep -vE 'uses:\s*[^@[:space:]]+@[0-9a-f]{40}\s+#\s*v[0-9]+(\.[0-9]+)*\s*$'); then
    echo "$unpinned"
    fail "actions not pinned as @<40-hex-sha> # vX.Y.Z"
  else
    echo "all actions pinned by commit SHA with a version comment"
  fi
  run "zizmor --offline" -- "$BIN/zizmor" --offline --no-progress "${workflows[@]}"
fi

# ------------------------------------------------------------------- summary
echo
if ((${#FAILURES[@]})); then
  printf 'check-infra: %d failure(s) in %s ms:\n' "${#FAILURES[@]}" "$(ms)"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "check-infra: all checks passed in $(ms) ms"
