"""A/B in one run: the service as of several git revisions, side by side against one fake Wikimedia.

    uv run python bench/ab.py HEAD~1 HEAD            # cold overhead (c) and cached-hit throughput (a)
    uv run python bench/ab.py --cold 300 --rounds 4 855f7c5 HEAD

Each revision's `src/` is extracted (`git archive`) and served by `pageviews serve` with it first on
PYTHONPATH (the installed dependencies are this checkout's). Cold requests go to each service in turn, round
by round, and each one's overhead is its time less the same round's direct request to the fake; then `wrk`
rounds alternate between a bare granian app and each service's cached hit. Interleaving is what makes a
difference of a few tenths of a millisecond, or a few percent of throughput, visible on a noisy machine."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from run import BIN, GRANIAN_HTTP, HERE, HIT, free_port, pct, process, server_command, wrk

ROOT = HERE.parent


def extracted(revision: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-f", "-", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


async def cold(upstream: str, bases: dict[str, str], rounds: int) -> dict[str, list[float]]:
    over: dict[str, list[float]] = {name: [] for name in bases}
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(rounds):
            path = f"/metrics/pageviews/per-article/en.wikipedia/all-access/user/Direct_{i}/monthly/20231001/20231031"
            started = time.perf_counter()
            (await client.get(upstream + "/api/rest_v1" + path)).raise_for_status()
            direct = time.perf_counter() - started
            for k, (name, base) in enumerate(bases.items()):
                started = time.perf_counter()
                (await client.get(f"{base}/monthly_view_count/Cold_{k}_{i}/2023/10")).raise_for_status()
                over[name].append((time.perf_counter() - started - direct) * 1000)
    return over


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("revisions", nargs="+", help="git revisions (HEAD, a hash, a branch)")
    parser.add_argument("--cold", type=int, default=300, help="rounds of cold requests")
    parser.add_argument("--rounds", type=int, default=4, help="wrk rounds of 4 s each")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        fake_port, bare_port = free_port(), free_port()
        upstream, bare = f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{bare_port}"
        servers.enter_context(process([str(BIN / "granian"), "--interface", "asgi", "--working-dir", str(HERE),
                                       "--port", str(fake_port), "--no-access-log", "--log-level", "warning",
                                       "fake_upstream:app"], upstream + "/_stats"))  # fmt: skip
        servers.enter_context(process([str(BIN / "granian"), "--interface", "asgi", "--working-dir", str(HERE),
                                       "--port", str(bare_port), *GRANIAN_HTTP, "--no-access-log", "--log-level",
                                       "warning", "bare:app"], bare + "/"))  # fmt: skip
        bases = {}
        for n, revision in enumerate(args.revisions):
            tree = extracted(revision, Path(scratch) / str(n))
            port = free_port()
            bases[f"{revision} ({n})"] = f"http://127.0.0.1:{port}"
            env = {
                "PYTHONPATH": str(tree),
                "PAGEVIEWS_WIKIMEDIA_URL": upstream + "/api/rest_v1",
                "PAGEVIEWS_USER_AGENT": "pageviews-bench/1.0 (local A/B; nobody@example.org)",
            }
            servers.enter_context(
                process(server_command("granian", port, 1), f"http://127.0.0.1:{port}/ready", env)
            )
        httpx.get(f"{upstream}/_latency?ms=50").raise_for_status()
        over = asyncio.run(cold(upstream, bases, args.cold))
        for name, values in over.items():
            print(f"(c) cold overhead p50 {pct(values, 50):5.2f} ms  p99 {pct(values, 99):5.2f} ms  {name}")
        for base in bases.values():
            httpx.get(base + HIT, timeout=30).raise_for_status()
        targets = {"bare granian": bare + "/", **{name: base + HIT for name, base in bases.items()}}
        rates: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, url in targets.items():
                rates[name].append(wrk(url, 4, args.connections)[0])
        for name, values in rates.items():
            print(f"(a) {statistics.median(values):8.0f} req/s (median of {args.rounds})  {name}")


if __name__ == "__main__":
    main()
