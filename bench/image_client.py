"""A small HTTP load client for the image benchmark: N keep-alive connections in threads,
a shared list of paths, a time limit and a request limit (so every loop is bounded)."""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import urllib.request


def wait_for(host: str, port: int, path: str, timeout: float = 60.0) -> None:
    """Poll until the server answers 200 at `path`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from http://{host}:{port}{path} in {timeout:.0f} s")


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def run_load(host: str, port: int, paths: list[str], concurrency: int, seconds: float,
             max_requests: int | None = None, headers: dict[str, str] | None = None) -> dict:
    """GET paths in order (each once, wrapping) from `concurrency` clients, sending `headers`
    (a session cookie, say); the figures."""
    counter = itertools.count()
    limit = max_requests if max_requests is not None else 10**9
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    nbytes = [0] * concurrency
    start = time.perf_counter()
    deadline = start + seconds

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            n = next(counter)
            if n >= limit or time.perf_counter() > deadline:
                break
            path = paths[n % len(paths)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    errors[slot] += 1
                    continue
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            latencies[slot].append(time.perf_counter() - t0)
            nbytes[slot] += len(body)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    values = sorted(v for per in latencies for v in per)
    return {"n": len(values), "errors": sum(errors), "elapsed_s": elapsed,
            "rate": len(values) / elapsed, "mb": sum(nbytes) / 1e6,
            "p50_ms": percentile(values, 0.50) * 1000, "p99_ms": percentile(values, 0.99) * 1000}
