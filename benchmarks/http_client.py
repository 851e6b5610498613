"""HTTP client microbenchmark: aiohttp vs httpx vs Tidings' guarded fetcher.

N small GETs (a ~2 KB feed) against a local aiohttp server running in its own
process, at a fixed concurrency, repeated a few times; the median wall time
and requests/s are printed. Loopback only.

    .venv/bin/python benchmarks/http_client.py [--n 500] [--concurrency 64] [--rounds 5]

httpx is not a dependency of Tidings: install it (``pip install httpx``) to
include it, otherwise its row is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection

import aiohttp
from aiohttp import web

from tidings.adapters.http.fetcher import HttpFetcher
from tidings.adapters.http.netguard import NetworkPolicy
from tidings.model import Fetched
from tidings.settings import load_settings

BODY = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
    + b"<item><title>entry</title><link>https://example.invalid/e</link></item>" * 25
    + b"</channel></rss>"
)


def _serve(conn: Connection) -> None:
    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=BODY, content_type="application/rss+xml")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        conn.send(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"
        await runner.cleanup()

    asyncio.run(main())


Runner = Callable[[str, int, int], Awaitable[None]]


async def _gather_bounded(n: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> None:
    semaphore = asyncio.Semaphore(concurrency)

    async def task(i: int) -> None:
        async with semaphore:
            await one(i)

    await asyncio.gather(*(task(i) for i in range(n)))


async def run_aiohttp(base: str, n: int, concurrency: int) -> None:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with session.get(f"{base}/feed/{i}") as resp:
                assert len(await resp.read()) == len(BODY)

        await _gather_bounded(n, concurrency, one)


async def run_httpx(base: str, n: int, concurrency: int) -> None:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def one(i: int) -> None:
            resp = await client.get(f"{base}/feed/{i}")
            assert len(resp.content) == len(BODY)

        await _gather_bounded(n, concurrency, one)


async def run_tidings(base: str, n: int, concurrency: int) -> None:
    settings = load_settings(
        overrides={"concurrency": concurrency, "per_host_concurrency": concurrency}, environ={}
    )
    async with HttpFetcher(settings, policy=NetworkPolicy(("127.0.0.1",))) as fetcher:

        async def one(i: int) -> None:
            result = await fetcher.fetch(f"{base}/feed/{i}")
            assert isinstance(result, Fetched) and result.body == BODY

        await _gather_bounded(n, concurrency, one)


def _has_httpx() -> bool:
    try:
        import httpx  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    parent, child = mp.Pipe()
    server = mp.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{parent.recv()}"
    clients: dict[str, Runner] = {"aiohttp 3.14 (plain)": run_aiohttp}
    if _has_httpx():
        clients["httpx (plain)"] = run_httpx
    clients["tidings HttpFetcher (aiohttp, guarded)"] = run_tidings
    print(
        f"{args.n} GETs of {len(BODY)} B, concurrency {args.concurrency}, "
        f"median of {args.rounds} rounds (1 warm-up)"
    )
    try:
        for name, runner in clients.items():
            times = []
            for round_ in range(args.rounds + 1):
                started = time.perf_counter()
                asyncio.run(runner(base, args.n, args.concurrency))
                if round_:
                    times.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(f"  {name:40s} {median * 1000:8.1f} ms  {args.n / median:8.0f} req/s")
    finally:
        parent.send("stop")
        server.join(timeout=5)


if __name__ == "__main__":
    main()
