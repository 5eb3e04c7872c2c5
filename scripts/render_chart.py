#!/usr/bin/env python3
"""`helm template` / `helm lint` for the pageviews chart, offline, without a helm binary.

Uses helm-python-sdk (PyPI `helm-python-sdk`, in the `infra` dependency group),
which embeds Helm 4's Go SDK as a shared library.

    render_chart.py template CHART [-f VALUES]... [--kube-version v1.30.0]
                    [--api-versions monitoring.coreos.com/v1]... [--name N] [--namespace NS]
    render_chart.py lint CHART [-f VALUES]... [--kube-version v1.30.0] [--strict]
    render_chart.py check RENDERED.yaml --core-out CORE.yaml

`template` prints the rendered manifests as one multi-document YAML stream
(templates in name order, NOTES.txt left out), like `helm template`. Values
files are merged left to right, maps deeply, like repeated `helm -f`. The
values are checked against the chart's values.schema.json first.
`lint` prints Helm's findings and exits 1 on any error (or warning with --strict).
`check` splits rendered manifests: custom resources whose schema
kubernetes-validate does not ship (the Prometheus Operator's ServiceMonitor)
are validated here against a strict schema of the fields the chart uses; every
other document goes to CORE.yaml for `kubernetes-validate --strict`. It also
asserts the chart's production invariants on the rendered objects (non-root,
read-only root, no API token, probes, resources, pinned image, selectors
that match). Exit 1 on any finding.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import jsonschema  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]
from helm_python import _native

SEVERITY = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_values(files: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in files:
        values = merge(values, helm.values_from_yaml(Path(name).read_text()))
    return values


def template(args: argparse.Namespace) -> int:
    values = load_values(args.values)
    with helm.Chart.load(args.chart) as chart:
        chart.validate_schema(values)
        opts: dict[str, Any] = {"name": args.name, "namespace": args.namespace, "is_install": True}
        if args.kube_version:
            opts["kube_version"] = args.kube_version
        if args.api_versions:
            opts["api_versions"] = args.api_versions
        # Chart.render() does not expose kube_version/api_versions (.Capabilities);
        # the library's render call takes them in the same options object.
        rendered: dict[str, str] = json.loads(
            _native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(opts))
        )
    out = []
    for path in sorted(rendered):
        body = rendered[path].strip()
        if path.endswith("NOTES.txt") or not body:
            continue
        out.append(f"---\n# Source: {path}\n{body}\n")
    sys.stdout.write("".join(out))
    return 0


def lint(args: argparse.Namespace) -> int:
    report = helm.lint(
        args.chart,
        load_values(args.values),
        strict=args.strict,
        kube_version=args.kube_version or None,
        namespace=args.namespace,
    )
    worst = 0
    for message in report.get("messages") or []:
        severity = int(message.get("severity", 0))
        worst = max(worst, severity)
        print(f"[{SEVERITY.get(severity, severity)}] {message.get('path', '')}: {message.get('error', '')}")
    for error in report.get("errors") or []:
        worst = 3
        print(f"[ERROR] {error}")
    print(f"linted {report.get('total_charts_linted', 0)} chart(s)")
    return 1 if worst >= (2 if args.strict else 3) else 0


# The subset of monitoring.coreos.com/v1 ServiceMonitor the chart renders,
# strict (unknown fields are errors), so a typo cannot hide behind the CRD.
_STR = {"type": "string", "minLength": 1}
_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
SERVICEMONITOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": _STR, "namespace": _STR, "labels": _LABELS, "annotations": _LABELS},
        },
        "spec": {
            "type": "object",
            "required": ["selector", "endpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "type": "object",
                    "required": ["matchLabels"],
                    "additionalProperties": False,
                    "properties": {"matchLabels": _LABELS},
                },
                "namespaceSelector": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "any": {"type": "boolean"},
                        "matchNames": {"type": "array", "items": _STR},
                    },
                },
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["port"],
                        "additionalProperties": False,
                        "properties": {
                            "port": _STR,
                            "path": {"type": "string", "pattern": "^/"},
                            "scheme": {"enum": ["http", "https"]},
                            "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            "scrapeTimeout": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                        },
                    },
                },
            },
        },
    },
}
CUSTOM_SCHEMAS = {("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICEMONITOR_SCHEMA}
# API groups kubernetes-validate knows (core and built-in groups end in k8s.io or have no dot).
BUILTIN_GROUP_SUFFIX = ".k8s.io"


def _is_builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return group == "" or "." not in group or group.endswith(BUILTIN_GROUP_SUFFIX)


def _invariants(docs: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        return [f"expected exactly one Deployment, found {len(deployments)}"]
    deploy = deployments[0]
    spec = deploy["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"].get("labels", {})
    selector = spec["selector"]["matchLabels"]

    def need(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    need(
        all(pod_labels.get(k) == v for k, v in selector.items()),
        "Deployment selector does not match its pod labels",
    )
    need(
        spec.get("strategy", {}).get("rollingUpdate", {}).get("maxUnavailable") == 0,
        "rollout maxUnavailable != 0",
    )
    need(
        "checksum/config" in spec["template"]["metadata"].get("annotations", {}),
        "no checksum/config annotation",
    )
    need(pod.get("automountServiceAccountToken") is False, "pod mounts a service account token")
    need(pod.get("enableServiceLinks") is False, "service links are on (PAGEVIEWS_PORT would be injected)")
    psc = pod.get("securityContext", {})
    need(psc.get("runAsNonRoot") is True, "pod runAsNonRoot is not true")
    need(
        psc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
        "pod seccompProfile is not RuntimeDefault",
    )
    for c in pod["containers"]:
        name = c["name"]
        image = c["image"]
        need(
            ":latest" not in image and (":" in image.rpartition("/")[2] or "@" in image),
            f"{name}: unpinned image {image}",
        )
        sc = c.get("securityContext", {})
        need(sc.get("readOnlyRootFilesystem") is True, f"{name}: root filesystem is writable")
        need(sc.get("allowPrivilegeEscalation") is False, f"{name}: privilege escalation allowed")
        need("ALL" in sc.get("capabilities", {}).get("drop", []), f"{name}: capabilities not dropped")
        res = c.get("resources", {})
        for kind in ("requests", "limits"):
            need({"cpu", "memory"} <= set(res.get(kind, {})), f"{name}: resources.{kind} lacks cpu/memory")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            need(probe in c, f"{name}: no {probe}")
        live = c.get("livenessProbe", {}).get("httpGet", {}).get("path")
        ready = c.get("readinessProbe", {}).get("httpGet", {}).get("path")
        need(live != ready, f"{name}: liveness and readiness probe the same path {live}")
        tmp_mounted = any(m.get("mountPath") == "/tmp" for m in c.get("volumeMounts", []))  # noqa: S108 - a check, not a use
        need(tmp_mounted, f"{name}: no writable /tmp")
    if by_kind.get("HorizontalPodAutoscaler"):
        need("replicas" not in spec, "Deployment sets replicas although an HPA owns them")
        hpa = by_kind["HorizontalPodAutoscaler"][0]["spec"]
        need(hpa["scaleTargetRef"]["name"] == deploy["metadata"]["name"], "HPA targets another Deployment")
        need(hpa.get("minReplicas", 1) >= 2, "HPA minReplicas < 2")
    for pdb in by_kind.get("PodDisruptionBudget", []):
        need(pdb["spec"]["selector"]["matchLabels"] == selector, "PDB selector differs from the Deployment's")
    ports = {p["name"] for c in pod["containers"] for p in c.get("ports", [])}
    for svc in by_kind.get("Service", []):
        need(
            all(pod_labels.get(k) == v for k, v in svc["spec"]["selector"].items()), "Service selects no pod"
        )
        need(all(p["targetPort"] in ports for p in svc["spec"]["ports"]), "Service targets an unknown port")
    svc_ports = {p["name"] for svc in by_kind.get("Service", []) for p in svc["spec"]["ports"]}
    for sm in by_kind.get("ServiceMonitor", []):
        need(
            all(e["port"] in svc_ports for e in sm["spec"]["endpoints"]),
            "ServiceMonitor scrapes an unknown port",
        )
    for np in by_kind.get("NetworkPolicy", []):
        need(np["spec"]["podSelector"]["matchLabels"] == selector, "NetworkPolicy selects other pods")
    return problems


def check(args: argparse.Namespace) -> int:
    docs = [d for d in yaml.safe_load_all(Path(args.rendered).read_text()) if d]
    core: list[dict[str, Any]] = []
    problems: list[str] = []
    for doc in docs:
        api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
        name = doc.get("metadata", {}).get("name", "?")
        schema = CUSTOM_SCHEMAS.get((api_version, kind))
        if schema is not None:
            errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
            problems += [f"{kind}/{name}: {'/'.join(map(str, e.path))}: {e.message}" for e in errors]
            print(f"checked {kind}/{name} ({api_version}) against the chart's ServiceMonitor schema")
        elif _is_builtin(api_version):
            core.append(doc)
        else:
            problems.append(
                f"{kind}/{name}: {api_version} is a custom resource with no schema to check it against"
            )
    problems += _invariants(docs)
    Path(args.core_out).write_text(yaml.safe_dump_all(core, sort_keys=False))
    print(f"{len(core)} built-in object(s) -> {args.core_out}")
    for problem in problems:
        print(f"FAIL {args.rendered}: {problem}")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("check")
    sub.set_defaults(func=check)
    sub.add_argument("rendered")
    sub.add_argument("--core-out", required=True, help="write the built-in-API documents here")
    for name, func in (("template", template), ("lint", lint)):
        sub = commands.add_parser(name)
        sub.set_defaults(func=func)
        sub.add_argument("chart")
        sub.add_argument("-f", "--values", action="append", default=[], help="values file (repeatable)")
        sub.add_argument("--kube-version", default="", help="e.g. v1.30.0 (.Capabilities.KubeVersion)")
        sub.add_argument("--namespace", default="default")
        if name == "template":
            sub.add_argument("--name", default="pageviews", help="release name")
            sub.add_argument(
                "--api-versions", action="append", default=[], help="extra API version (repeatable)"
            )
        else:
            sub.add_argument("--strict", action="store_true", help="fail on warnings too")
    args = parser.parse_args()
    try:
        result: int = args.func(args)
    except helm.HelmError as exc:
        print(f"helm: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    raise SystemExit(main())
