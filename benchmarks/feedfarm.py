"""The refresh benchmark's fixture server: N generated feeds over loopback.

Run as its own process (``FarmProcess`` starts it), so that serving costs the
measured system no Python time in its own interpreter: on a 2-core machine the
server still needs some CPU, and it gets it from the OS like any real server
would, for every system alike; ``/_farm/stats`` reports the CPU seconds the
server spent, per phase, so the table can show them.

The feeds (see ``feedgen.FeedSet``) are spread over ``hosts`` loopback
addresses 127.0.0.1 .. 127.0.0.<hosts>, all on one port, because a real
subscription list spans many hosts and Tidings limits concurrency per host;
the peers do not, so this costs them nothing.

Every response honours ``If-None-Match`` / ``If-Modified-Since`` with a 304,
after ``latency_ms`` (applied to every answer, 200 or 304). Control routes
(127.0.0.1 only): ``POST /_farm/generation/<g>`` switches every feed to
generation ``g`` (one new entry per feed per generation), ``GET /_farm/stats``
and ``POST /_farm/stats/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType

from aiohttp import web
from feedgen import CONTENT_TYPES, FeedSet

HERE = Path(__file__).resolve().parent


class Farm:
    """Rendered documents for the current generation, and request counters."""

    def __init__(self, feeds: FeedSet, latency_ms: float) -> None:
        self.feeds = feeds
        self.latency = latency_ms / 1000
        self._cache: dict[int, list[tuple[bytes, str, str]]] = {}
        self.docs = self._docs(0)
        self.generation = 0
        self.reset_stats()

    def _docs(self, generation: int) -> list[tuple[bytes, str, str]]:
        if generation not in self._cache:
            docs = []
            for i, spec in enumerate(self.feeds.specs):
                newest = self.feeds.published(spec, generation + spec.entries - 1)
                etag = f'"{i}-{generation}"'
                docs.append(
                    (self.feeds.render(i, generation), etag, format_datetime(newest, usegmt=True))
                )
            self._cache[generation] = docs
        return self._cache[generation]

    def set_generation(self, generation: int) -> None:
        self.docs = self._docs(generation)
        self.generation = generation

    def reset_stats(self) -> None:
        self.counts = {"200": 0, "304": 0, "conditional": 0, "bytes": 0}
        self.cpu0 = time.process_time()

    def stats(self) -> dict[str, object]:
        return {
            **self.counts,
            "generation": self.generation,
            "cpu_s": round(time.process_time() - self.cpu0, 3),
            "entries_total": self.feeds.entry_count(self.generation),
        }

    async def feed(self, request: web.Request) -> web.Response:
        try:
            i = int(request.match_info["name"].split(".", 1)[0])
            body, etag, modified = self.docs[i]
        except (ValueError, IndexError):
            raise web.HTTPNotFound() from None
        if self.latency:
            await asyncio.sleep(self.latency)
        inm = request.headers.get("If-None-Match")
        ims = request.headers.get("If-Modified-Since")
        headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "max-age=60"}
        if inm is not None or ims is not None:
            self.counts["conditional"] += 1
        if (inm is not None and etag in inm) or (inm is None and ims == modified):
            self.counts["304"] += 1
            return web.Response(status=304, headers=headers)
        self.counts["200"] += 1
        self.counts["bytes"] += len(body)
        fmt = self.feeds.specs[i].format
        return web.Response(body=body, headers={**headers, "Content-Type": CONTENT_TYPES[fmt]})

    async def control_generation(self, request: web.Request) -> web.Response:
        generation = int(request.match_info["g"])
        await asyncio.get_running_loop().run_in_executor(None, self.set_generation, generation)
        return web.json_response(self.stats())

    async def control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def control_reset(self, request: web.Request) -> web.Response:
        self.reset_stats()
        return web.json_response(self.stats())


async def serve(n: int, seed: int, latency_ms: float, hosts: int) -> None:
    farm = Farm(FeedSet(n, seed), latency_ms)
    app = web.Application()
    app.router.add_get("/feeds/{name}", farm.feed)
    app.router.add_post("/_farm/generation/{g}", farm.control_generation)
    app.router.add_get("/_farm/stats", farm.control_stats)
    app.router.add_post("/_farm/stats/reset", farm.control_reset)
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    first = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await first.start()
    port = int(runner.addresses[0][1])
    for k in range(2, hosts + 1):
        await web.TCPSite(runner, f"127.0.0.{k}", port, backlog=4096).start()
    print(json.dumps({"port": port}), flush=True)
    parent = os.getppid()
    stdin_closed = asyncio.ensure_future(
        asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    )
    while not stdin_closed.done() and os.getppid() == parent:  # or the driver died
        await asyncio.wait([stdin_closed], timeout=1.0)
    await runner.cleanup()
    os._exit(0)  # do not wait for the stdin reader thread


class FarmProcess:
    """Start the farm in a child process; ``url(i)`` and the control calls talk to it."""

    def __init__(self, n: int, *, latency_ms: float = 0, seed: int = 1, hosts: int = 32) -> None:
        self.n, self.hosts = n, hosts
        self.feeds = FeedSet(n, seed)  # for paths and expected counts; documents render there
        self._proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "feedfarm.py"),
                "--n",
                str(n),
                "--seed",
                str(seed),
                "--latency",
                str(latency_ms),
                "--hosts",
                str(hosts),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(HERE)},
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("feed farm failed to start")
        self.port = int(json.loads(line)["port"])

    def url(self, i: int) -> str:
        return f"http://127.0.0.{1 + i % self.hosts}:{self.port}{self.feeds.path(i)}"

    def urls(self) -> list[str]:
        return [self.url(i) for i in range(self.n)]

    def _call(self, method: str, path: str) -> dict[str, object]:
        import urllib.request

        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(req, timeout=600) as resp:
            result: dict[str, object] = json.loads(resp.read())
            return result

    def set_generation(self, generation: int) -> dict[str, object]:
        return self._call("POST", f"/_farm/generation/{generation}")

    def stats(self) -> dict[str, object]:
        return self._call("GET", "/_farm/stats")

    def reset_stats(self) -> dict[str, object]:
        return self._call("POST", "/_farm/stats/reset")

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> FarmProcess:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.0, help="ms before every answer")
    parser.add_argument("--hosts", type=int, default=32, help="loopback addresses to spread over")
    args = parser.parse_args()
    asyncio.run(serve(args.n, args.seed, args.latency, args.hosts))


if __name__ == "__main__":
    main()
