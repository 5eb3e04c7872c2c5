"""Benchmark: the real server against a local fake Wikimedia with a configurable latency, all in one run.

    uv run python bench/run.py [--server granian|uvicorn] [--latency-ms 50] [--only abcdefgh]

The service runs with the production defaults (INFO request logs, metrics, security headers, the rate limit)
and reports, each measured in this run:
(a) cached-hit throughput, p50 and p99 at 32 connections, beside a bare granian app (one handler, a constant
    JSON body) started by the benchmark itself and /health; target: hit / bare >= 0.5 with p99 <= 5 ms;
(b) upstream requests for 100 concurrent identical cold requests (target exactly 1);
(c) the service's overhead on a cold request above the upstream's own latency (target p50 <= 3 ms), beside two
    bare proxies (bench/bare_proxy.py, same granian), one over httpx's own client and transport, one over the
    service's client and transport: what one more hop and an HTTP client cost by themselves;
(d) resident memory under a flood of distinct large answers (target: under the memory before the flood plus
    the two caches' byte budgets);
(e) cold requests while three slow ones hold every upstream slot (target: answered within the queue timeout,
    not held for the slow ones' duration);
(f) /health while four clients repeat the largest cached batch (target p99 < 50 ms);
(g) a seeded dashboard mix of overlapping ranges over 50 articles, 8 at a time: upstream requests against the
    distinct settled months the ranges touch (target: no settled month asked twice);
(h) a cold batch of 100 articles against ceil(100 / upstream concurrency) x upstream latency (target <= 1.2).
Needs `wrk` (apt-get install wrk). Only loopback addresses are used; every loop is bounded."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from pageviews.settings import Settings

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HIT = "/monthly_view_count/Albert_Einstein/2023/10"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def process(args: Sequence[str], url: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Start a server, wait (at most 30 s) until `url` answers, yield its pid, stop it."""
    log = Path(tempfile.gettempdir()) / f"bench-{Path(args[0]).name}-{os.getpid()}.log"
    with log.open("wb") as output:
        proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=output, stderr=output)
    try:
        for _ in range(300):
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{args[0]} did not start")
        yield proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


GRANIAN_HTTP = ["--http", "1", "--http1-header-read-timeout", "10000"]
"""What `pageviews serve` sets (HTTP/1 only, headers within the default client timeout), so the bare yardstick
runs under the server settings the service runs under."""


def server_command(server: str, port: int, workers: int) -> list[str]:
    """granian: the service exactly as production starts it (`pageviews serve`); uvicorn, for comparison."""
    if server == "uvicorn":
        return [str(BIN / "uvicorn"), "--factory", "pageviews.asgi:app_factory", "--port", str(port),
                "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    return [str(BIN / "pageviews"), "serve", "--port", str(port), "--workers", str(workers)]


# -- (a) throughput with wrk -------------------------------------------------------------------------------------


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in ms."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors[1]} answers were not 2xx; the figures would be meaningless")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    return rate, _percentile(out, "50%"), _percentile(out, "99%")


def _percentile(out: str, name: str) -> float:
    value, unit = re.search(rf"{name}\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def throughput(
    base: str, bare: str, rounds: int, seconds: int, connections: int
) -> dict[str, tuple[float, ...]]:
    """Alternating rounds of the bare app, /health and the cached hit, so noise hits them alike; medians."""
    httpx.get(base + HIT).raise_for_status()  # warm the cache
    runs: dict[str, list[tuple[float, float, float]]] = {"bare": [], "health": [], "hit": []}
    for _ in range(rounds):
        runs["bare"].append(wrk(bare + "/", seconds, connections))
        runs["health"].append(wrk(base + "/health", seconds, connections))
        runs["hit"].append(wrk(base + HIT, seconds, connections))
    return {
        name: tuple(statistics.median(r[i] for r in results) for i in range(3))
        for name, results in runs.items()
    }


# -- (b) coalescing, (c) cold overhead ------------------------------------------------------------------------------


async def upstream_requests(upstream: str) -> int:
    async with httpx.AsyncClient() as client:
        return int((await client.get(upstream + "/_stats")).json()["requests"])


async def coalescing(base: str, upstream: str, concurrent: int) -> int:
    before = await upstream_requests(upstream)
    limits = httpx.Limits(max_connections=concurrent)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        url = base + "/monthly_view_count/Coalesced_cold_article/2023/10"
        responses = await asyncio.gather(*(client.get(url) for _ in range(concurrent)))
    assert {200} == {r.status_code for r in responses}, {r.status_code for r in responses}
    return await upstream_requests(upstream) - before


async def cold_latencies(
    base: str, upstream: str, proxy: str, proxy_of_service: str, n: int
) -> dict[str, list[float]]:
    """Interleaved: the same client asks the fake directly, the two bare proxies and the service, each a title
    never asked before."""
    times: dict[str, list[float]] = {"direct": [], "proxy": [], "proxy_of_service": [], "service": []}
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(n):
            path = f"/metrics/pageviews/per-article/en.wikipedia/all-access/user/Direct_{i}/monthly/20231001/20231031"
            for name, url in (
                ("direct", upstream + "/api/rest_v1" + path),
                ("proxy", f"{proxy}/Proxied_{i}"),
                ("proxy_of_service", f"{proxy_of_service}/Proxied_by_the_service_transport_{i}"),
                ("service", f"{base}/monthly_view_count/Cold_{i}/2023/10"),
            ):
                start = time.perf_counter()
                (await client.get(url)).raise_for_status()
                times[name].append((time.perf_counter() - start) * 1000)
    return times


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# -- (d) memory ------------------------------------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (granian and uvicorn fork workers)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        tree.update(children)
        frontier.extend(children)
    total_kib = 0
    for member in tree:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total_kib += int(match[1]) if match else 0
    return total_kib / 1024


def flood(base: str, upstream: str, target: int, connections: int, seconds: int = 5) -> int:
    """wrk asks three-year daily series of titles never asked before until the upstream answered `target`."""
    start = asyncio.run(upstream_requests(upstream))
    while (done := asyncio.run(upstream_requests(upstream)) - start) < target:
        script = ["-s", str(HERE / "flood.lua"), base, "--", f"Flood{time.monotonic_ns()}"]
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", *script],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"the flood got errors:\n{out}")
    return done


# -- (e) slow requests holding every slot ----------------------------------------------------------------------


async def held_slots(base: str, n: int) -> tuple[list[float], dict[int, int]]:
    """Three requests for titles the fake holds a minute; meanwhile `n` cold requests for other titles."""
    async with httpx.AsyncClient(timeout=90) as client:
        slow = [
            asyncio.create_task(client.get(f"{base}/monthly_view_count/Slow_{i}/2023/10")) for i in range(3)
        ]
        await asyncio.sleep(0.5)
        latencies, statuses = [], {}
        for i in range(n):
            started = time.perf_counter()
            response = await client.get(
                f"{base}/monthly_view_count/Waiting_{time.monotonic_ns()}_{i}/2023/10"
            )
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        for task in slow:
            task.cancel()
    return latencies, statuses


# -- (f) /health while the largest batch repeats ---------------------------------------------------------------


async def fairness(base: str, seconds: float, clients: int) -> tuple[list[float], int]:
    """`wrk` with `clients` connections POSTs the largest batch (100 titles x 1096 days, cached after the first)
    while this process samples /health every 20 ms; returns the /health latencies and the batches answered."""
    async with httpx.AsyncClient(timeout=120) as client:
        body = {"articles": [f"Batch_title_{i}" for i in range(100)], "from": "2021-01-01", "to": "2023-12-31",
                "granularity": "daily"}  # fmt: skip
        (await client.post(base + "/v1/pageviews/batch", json=body)).raise_for_status()  # fills the cache
    load = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{clients}", f"-d{seconds:.0f}s", "-s", str(HERE / "batch.lua"),
        base + "/v1/pageviews/batch", stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    latencies = []
    async with httpx.AsyncClient(timeout=10) as probe:
        await asyncio.sleep(0.5)
        while load.returncode is None:
            started = time.perf_counter()
            (await probe.get(base + "/health")).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(load.wait(), 0.02)
    out = (await load.communicate())[0].decode()
    if "Non-2xx" in out:
        raise RuntimeError(f"the batches got errors:\n{out}")
    answered = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    return latencies, answered


# -- (g) a dashboard's mix of overlapping ranges, (h) a cold batch ------------------------------------------


def dashboard_ranges(seed: int, requests: int, articles: int, today: dt.date) -> list[str]:
    """A fixed, seeded mix of what dashboards ask: the last 30 or 90 days, the last 12 or 24 months, a
    calendar year, a quarter in days, for 50 articles, in a shuffled order."""
    rng = random.Random(seed)
    month = dt.date(today.year, today.month, 1)
    paths = []
    for _ in range(requests):
        title = f"Dashboard_article_{rng.randrange(articles)}"
        kind = rng.choice(["30d", "90d", "12m", "24m", "year", "quarter"])
        if kind in ("30d", "90d"):
            days = 30 if kind == "30d" else 90
            first, last = today - dt.timedelta(days=days + rng.randrange(5)), today - dt.timedelta(days=1)
            query = f"from={first}&to={last}&granularity=daily"
        elif kind in ("12m", "24m"):
            months = 12 if kind == "12m" else 24
            first = _months_before(month, months + rng.randrange(3))
            query = f"from={first:%Y-%m}&to={_months_before(month, 1):%Y-%m}"
        elif kind == "year":
            year = today.year - 1 - rng.randrange(3)
            query = f"from={year}-01&to={year}-12"
        else:
            start = _months_before(month, 3 + 3 * rng.randrange(4))
            query = f"from={start:%Y-%m}&to={_months_before(start, -2):%Y-%m}&granularity=daily"
        paths.append(f"/v1/pageviews/en.wikipedia/{title}?{query}")
    return paths


def _months_before(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


Block = tuple[str, str, dt.date]
"""A settled month of one article's series: the article, the granularity, the month's first day."""


def settled_months(
    article: str, granularity: str, first: dt.date, last: dt.date, today: dt.date
) -> list[Block]:
    months, month = [], dt.date(first.year, first.month, 1)
    while month <= last:
        following = _months_before(month, -1)
        if following + dt.timedelta(days=2) <= today:  # settled: ended more than 48 hours ago
            months.append((article, granularity, month))
        month = following
    return months


def touched_blocks(paths: list[str], today: dt.date) -> set[Block]:
    """The distinct settled months the dashboard's ranges cover."""
    touched: set[Block] = set()
    for path in paths:
        article, query = path.rsplit("/", 1)[1].split("?")
        fields = dict(pair.split("=") for pair in query.split("&"))
        granularity = fields.get("granularity", "monthly")
        first = dt.date.fromisoformat(fields["from"] + ("-01" if len(fields["from"]) == 7 else ""))
        last_text = fields["to"]
        last = dt.date.fromisoformat(last_text) if len(last_text) == 10 else _months_before(
            dt.date.fromisoformat(last_text + "-01"), -1) - dt.timedelta(days=1)  # fmt: skip
        touched.update(settled_months(article, granularity, first, last, today))
    return touched


def asked_blocks(asked: list[str], today: dt.date) -> dict[Block, int]:
    """From the fake's log: each settled month asked upstream, and how many times."""
    seen: dict[Block, int] = {}
    for path in asked:
        _, _, _, article, granularity, start, end = path.split("/")
        first, last = dt.date.fromisoformat(_iso(start)), dt.date.fromisoformat(_iso(end))
        for block in settled_months(article, granularity, first, last, today):
            seen[block] = seen.get(block, 0) + 1
    return seen


def _iso(timestamp: str) -> str:
    return f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"


async def dashboard(base: str, upstream: str, paths: list[str], clients: int) -> list[str]:
    """`clients` at a time work through the ranges in order; what the fake was asked meanwhile."""
    queue = iter(paths)
    async with httpx.AsyncClient(timeout=60) as client:
        await client.get(upstream + "/_asked")  # forget what earlier figures asked

        async def work() -> None:
            for path in queue:
                (await client.get(base + path)).raise_for_status()

        await asyncio.gather(*(work() for _ in range(clients)))
        asked: list[str] = (await client.get(upstream + "/_asked")).json()["asked"]
        return asked


async def cold_batch(base: str, n: int) -> float:
    body = {
        "articles": [f"Cold_batch_{time.monotonic_ns()}_{i}" for i in range(n)],
        "from": "2023-01",
        "to": "2023-12",
    }
    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        response = await client.post(base + "/v1/pageviews/batch", json=body)
        elapsed = time.perf_counter() - started
    response.raise_for_status()
    assert all("series" in r for r in response.json()["results"]), "every title of the cold batch has data"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the fake upstream's latency")
    parser.add_argument("--seconds", type=int, default=5, help="per wrk round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--concurrent", type=int, default=100, help="identical cold requests in (b)")
    parser.add_argument("--cold", type=int, default=200, help="cold requests in (c)")
    parser.add_argument("--flood", type=int, default=6_000, help="distinct large answers in (d)")
    parser.add_argument("--waiting", type=int, default=20, help="cold requests while slots are held in (e)")
    parser.add_argument("--fair-seconds", type=float, default=20.0, help="how long the batches repeat in (f)")
    parser.add_argument("--dashboard", type=int, default=600, help="requests of the dashboard mix in (g)")
    parser.add_argument("--only", default="abcdefgh", help="which figures, e.g. --only ab")
    args = parser.parse_args()

    fake_port, port, bare_port = free_port(), free_port(), free_port()
    upstream, base = f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{port}"
    bare_url = f"http://127.0.0.1:{bare_port}"
    bare = [str(BIN / "granian"), "--interface", "asgi", "--working-dir", str(HERE), "--port", str(bare_port),
            *GRANIAN_HTTP, "--no-access-log", "--log-level", "warning", "bare:app"]  # fmt: skip
    fake = [str(BIN / "granian"), "--interface", "asgi", "--working-dir", str(HERE), "--port", str(fake_port),
            "--no-access-log", "--log-level", "warning", "fake_upstream:app"]  # fmt: skip
    # The production defaults: INFO request logs (to a file here), metrics, security headers, the rate limit.
    env = {
        "PAGEVIEWS_WIKIMEDIA_URL": upstream + "/api/rest_v1",
        "PAGEVIEWS_USER_AGENT": "pageviews-bench/1.0 (local benchmark; nobody@example.org)",
    }
    print(
        f"server={args.server} workers={args.workers} upstream latency={args.latency_ms:g} ms cpus={os.cpu_count()}"
    )
    with (
        process(bare, bare_url + "/"),
        process(fake, upstream + "/_stats"),
        process(server_command(args.server, port, args.workers), base + "/ready", env) as pid,
    ):
        httpx.get(f"{upstream}/_latency?ms={args.latency_ms}").raise_for_status()
        started_rss = rss_mib(pid)
        if "a" in args.only:
            a = throughput(base, bare_url, args.rounds, args.seconds, args.connections)
            for name, label in (("bare", "bare granian"), ("health", "/health"), ("hit", "cached hit")):
                rate, p50, p99 = a[name]
                print(f"(a) {label:13s} {rate:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  ({args.connections} connections)")  # fmt: skip
            print(f"    ratio cached hit / bare granian = {a['hit'][0] / a['bare'][0]:.2f}  (target >= 0.5, p99 <= 5 ms)")  # fmt: skip
        if "b" in args.only:
            b = asyncio.run(coalescing(base, upstream, args.concurrent))
            print(
                f"(b) {args.concurrent} concurrent identical cold requests -> {b} upstream request(s)  (target 1)"
            )
        if "c" in args.only:
            proxies = {}
            with contextlib.ExitStack() as yardsticks:
                for name, transport in (("proxy", "httpx"), ("proxy_of_service", "service")):
                    proxy_port = free_port()
                    proxies[name] = f"http://127.0.0.1:{proxy_port}"
                    proxy = [str(BIN / "granian"), "--interface", "asgi", "--working-dir", str(HERE), "--port",
                             str(proxy_port), *GRANIAN_HTTP, "--no-access-log", "--log-level", "warning", "bare_proxy:app"]  # fmt: skip
                    env_of_proxy = {"BARE_PROXY_UPSTREAM": upstream + "/", "BARE_PROXY_TRANSPORT": transport}
                    yardsticks.enter_context(process(proxy, proxies[name] + "/ready", env_of_proxy))
                times = asyncio.run(
                    cold_latencies(base, upstream, proxies["proxy"], proxies["proxy_of_service"], args.cold)
                )
            direct = times["direct"]
            # Each round's overhead is its request's time less the direct request's of the same round, so the
            # percentiles are of the overhead itself (noise common to the round cancels out).
            over = {
                name: [t - d for t, d in zip(times[name], direct, strict=True)]
                for name in ("service", "proxy", "proxy_of_service")
            }
            for p in (50, 99):
                print(f"(c) p{p}: upstream direct {pct(direct, p):6.2f} ms; overhead of the service cold "
                      f"{pct(over['service'], p):5.2f} ms, of a bare proxy over httpx's transport "
                      f"{pct(over['proxy'], p):5.2f} ms, over the service's {pct(over['proxy_of_service'], p):5.2f} ms")  # fmt: skip
            print("    (target: the service's p50 overhead <= 3 ms)")
        if "d" in args.only:
            httpx.get(f"{upstream}/_latency?ms=0").raise_for_status()
            budgets = 64 + 32  # PAGEVIEWS_CACHE_MEMORY_MIB + PAGEVIEWS_RESPONSE_CACHE_MEMORY_MIB (defaults)
            connections = (
                8  # 3 upstream slots: many more would be 503 upstream_busy after the 1 s queue timeout
            )
            # The baseline: the same flood against a second service whose caches hold (almost) nothing, so that
            # its resident memory is everything but the caches (requests in flight, their bodies, the allocator).
            baseline_port = free_port()
            without_caches = {
                **env,
                "PAGEVIEWS_CACHE_MEMORY_MIB": "1",
                "PAGEVIEWS_RESPONSE_CACHE_MEMORY_MIB": "0",
            }
            baseline_url = f"http://127.0.0.1:{baseline_port}"
            with process(server_command(args.server, baseline_port, args.workers), baseline_url + "/ready",
                         without_caches) as baseline_pid:  # fmt: skip
                baseline = rss_mib(baseline_pid)
                for _ in range(4):
                    flood(baseline_url, upstream, args.flood // 4, connections)
                    baseline = max(baseline, rss_mib(baseline_pid))
            print(f"(d) RSS after start {started_rss:.1f} MiB; the same flood with caches of 1 + 0 MiB: peak "
                  f"{baseline:.1f} MiB (the baseline); budgets {budgets} MiB")  # fmt: skip
            total, peak = 0, rss_mib(pid)
            for _ in range(4):
                started = time.perf_counter()
                answered = flood(base, upstream, args.flood // 4, connections)
                total += answered
                peak = max(peak, rss_mib(pid))
                rate = answered / (time.perf_counter() - started)
                print(
                    f"    after {total:6d} distinct 1096-day answers: RSS {rss_mib(pid):7.1f} MiB  ({rate:.0f} req/s)"
                )
            print(f"    peak {peak:.1f} MiB <= baseline {baseline:.1f} + budgets {budgets - 1} = "
                  f"{baseline + budgets - 1:.1f} MiB: {peak <= baseline + budgets - 1}")  # fmt: skip
            httpx.get(f"{upstream}/_latency?ms={args.latency_ms}").raise_for_status()
        if "e" in args.only:
            latencies, statuses = asyncio.run(held_slots(base, args.waiting))
            print(f"(e) {args.waiting} cold requests while 3 slow ones (60 s) hold every upstream slot: "
                  f"p50 {pct(latencies, 50):.0f} ms, max {max(latencies):.0f} ms, statuses {statuses}")  # fmt: skip
            print("    (target: each answered within the 1 s queue timeout, not after the slow ones)")
        if "f" in args.only:
            health, batches = asyncio.run(fairness(base, args.fair_seconds, clients=4))
            print(f"(f) /health while 4 clients repeat the largest batch (100 x 1096 days, {batches} answered): "
                  f"p50 {pct(health, 50):.1f} ms, p99 {pct(health, 99):.1f} ms, max {max(health):.1f} ms")  # fmt: skip
            print("    (target: p99 < 50 ms)")
        if "g" in args.only:
            today = dt.datetime.now(dt.UTC).date()
            paths = dashboard_ranges(7, args.dashboard, 50, today)
            asked = asyncio.run(dashboard(base, upstream, paths, clients=8))
            touched, fetched = touched_blocks(paths, today), asked_blocks(asked, today)
            twice = sum(1 for n in fetched.values() if n > 1)
            print(f"(g) a dashboard mix of {len(paths)} overlapping ranges over 50 articles, 8 at a time: "
                  f"{len(asked)} upstream requests; {len(touched)} distinct settled months touched, "
                  f"{len(fetched)} fetched, asked twice: {twice}  (target 0)")  # fmt: skip
        if "h" in args.only:
            seconds = asyncio.run(cold_batch(base, 100))
            slots = Settings.from_env(env).upstream_concurrency
            bound = -(-100 // slots) * args.latency_ms / 1000  # ceil(100 / upstream concurrency) x latency
            print(f"(h) a cold batch of 100 articles: {seconds:.2f} s; the upstream bound ({slots} at a time) "
                  f"{bound:.2f} s; "
                  f"ratio {seconds / bound:.2f}  (target <= 1.2)")  # fmt: skip


if __name__ == "__main__":
    main()
