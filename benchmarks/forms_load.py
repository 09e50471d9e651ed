"""The forms app under load: gunicorn (4 workers), SQLite and PostgreSQL, a local asyncio client.

    python benchmarks/forms_load.py [--db sqlite|postgresql|both] [--steady 60] [--saturation 30]
                                    [--fault 60] [--users 200] [--api-users 10] [--think 1 3]

For each database: a fresh database (SQLite file in a temporary folder; a fresh PostgreSQL schema
at 127.0.0.1:5432, database `test`, dropped afterwards), migrated, served by
`gunicorn -w 4 -k gthread --threads 4 "forms_app:create_app()"` on 127.0.0.1, rate limits in
Redis when it answers on 127.0.0.1:6379. Three runs, each bounded in time:

- steady: `--users` simulated residents, each in a loop: open the complaint form, submit it with
  its CSRF token (and its session cookie), read the receipt, wait `--think` seconds (random,
  uniform), look the case up with its number and code, wait again; plus `--api-users` machines
  POSTing Open311 requests and reading them back.
- saturation: the same without think time: the most submissions per second the app sustains.
- fault: the steady run, with one gunicorn worker killed (SIGKILL) in the middle.

Printed per run: submissions acknowledged per second, requests per second, p50 / p99 latency,
errors by kind. Then the check: every acknowledged submission (each carries a unique token in its
text) is stored exactly once, under the number it was acknowledged with, and numbers are unique.
The submission limit is set to 1,000,000 per hour for the run (all load comes from one address),
so any 429 counts as an error. Goals (issue 11): 0 lost, 0 duplicated, 0 errors; steady p99 on
PostgreSQL <= 300 ms. Connects only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = ("127.0.0.1", 6379)
KEEPALIVE = 5  # seconds gunicorn keeps an idle connection open (--keep-alive)
TOKEN_RE = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
NUMBER_RE = re.compile(rb'id="case-number">([^<]+)<')
CODE_RE = re.compile(rb'id="lookup-code">([^<]+)<')
API_ID_RE = re.compile(rb'"service_request_id":\s*"([^"]+)".*?"token":\s*"([^"]+)"')


# ------------------------------------------------------------------ a small HTTP/1.1 client

class HttpError(Exception):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class Conn:
    """One keep-alive connection with its cookies, like one browser tab."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self.reader = self.writer = None
        self.cookies: dict[str, str] = {}
        self.last_used = 0.0

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        # gunicorn closes a keep-alive connection idle for --keep-alive seconds; like a browser, do not
        # send on a connection that may be closing: reconnect after a pause longer than that.
        if self.writer is not None and time.monotonic() - self.last_used > KEEPALIVE - 1:
            await self.close()
        for attempt in (0, 1):
            fresh = self.writer is None
            try:
                if fresh:
                    self.reader, self.writer = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", self.port), self.timeout)
                self.writer.write(data)
                await self.writer.drain()
                answer = await asyncio.wait_for(self._response(), self.timeout)
                self.last_used = time.monotonic()
                return answer
            except asyncio.TimeoutError:
                await self.close()
                raise HttpError("timeout") from None
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                await self.close()
                # Resending is safe only for a GET; a POST that may have arrived is never sent twice.
                if fresh or attempt or method != "GET":
                    raise HttpError("connect" if fresh else "reset") from None
        raise HttpError("reset")

    async def _response(self) -> tuple[int, dict, bytes]:
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                k, _, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, body


# ------------------------------------------------------------------ simulated users

@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    acknowledged: dict[str, str] = field(default_factory=dict)  # token -> case number
    requests: int = 0


async def timed(stats: Stats, conn: Conn, method: str, path: str, form=None, expect=(200,)) -> tuple[int, dict, bytes] | None:
    start = time.perf_counter()
    try:
        status, headers, body = await conn.request(method, path, form)
    except HttpError as exc:
        stats.errors[exc.kind] += 1
        return None
    stats.latencies.append(time.perf_counter() - start)
    stats.requests += 1
    if status not in expect:
        stats.errors[f"http_{status}"] += 1
        return None
    return status, headers, body


async def resident(port, stats, stop_at, think, timeout):
    conn = Conn(port, timeout)
    rng = random.Random()
    while time.monotonic() < stop_at:
        got = await timed(stats, conn, "GET", "/zixi/complaint")
        if got is None or not (m := TOKEN_RE.search(got[2])):
            stats.errors["no_form_token"] += got is not None
            await asyncio.sleep(0.2)
            continue
        token = uuid.uuid4().hex
        form = {"csrf_token": m.group(1).decode(), "category": "deposit_charged", "village": "gaofu-gaofu",
                "institution": "gaofu_hc", "event_date": "2026-03-15", "website": "",
                "description": f"压测提交 {token}：入院时被收了押金。", "name": "王某甲", "phone": "13912345678"}
        got = await timed(stats, conn, "POST", "/zixi/complaint", form, expect=(303,))
        if got is None:
            continue
        location = urllib.parse.urlsplit(got[1].get("location", "")).path or "/zixi/receipt"
        receipt = await timed(stats, conn, "GET", location)
        if receipt is None or not (n := NUMBER_RE.search(receipt[2])) or not (c := CODE_RE.search(receipt[2])):
            stats.errors["no_receipt"] += receipt is not None
            continue
        number, code = n.group(1).decode(), c.group(1).decode().replace(" ", "")
        stats.acknowledged[token] = number
        if think[1]:
            await asyncio.sleep(rng.uniform(*think))
        page = await timed(stats, conn, "GET", "/zixi/track")
        if page is None or not (m := TOKEN_RE.search(page[2])):
            continue
        found = await timed(stats, conn, "POST", "/zixi/track", {"csrf_token": m.group(1).decode(), "number": number,
                                                                 "code": code, "website": ""})
        if found is not None and number.encode() not in found[2]:
            stats.errors["lookup_wrong_case"] += 1
        if think[1]:
            await asyncio.sleep(rng.uniform(*think))
    await conn.close()


async def machine(port, stats, stop_at, think, timeout):
    conn = Conn(port, timeout)
    rng = random.Random()
    while time.monotonic() < stop_at:
        token = uuid.uuid4().hex
        got = await timed(stats, conn, "POST", "/api/open311/v2/requests.json",
                          {"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
                           "description": f"压测接口 {token}"}, expect=(201,))
        if got is None:
            await asyncio.sleep(0.2)
            continue
        m = API_ID_RE.search(got[2])
        if not m:
            stats.errors["bad_api_answer"] += 1
            continue
        number, code = m.group(1).decode(), m.group(2).decode()
        stats.acknowledged[token] = number
        await timed(stats, conn, "GET", f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi&token={code}")
        if think[1]:
            await asyncio.sleep(rng.uniform(*think))
    await conn.close()


async def load(port, seconds, users, api_users, think, timeout, fault=None) -> tuple[Stats, float]:
    stats = Stats()
    stop_at = time.monotonic() + seconds
    tasks = [asyncio.create_task(resident(port, stats, stop_at, think, timeout)) for _ in range(users)]
    tasks += [asyncio.create_task(machine(port, stats, stop_at, think, timeout)) for _ in range(api_users)]
    if fault is not None:
        async def kill_later():
            await asyncio.sleep(seconds / 2)
            fault()
        tasks.append(asyncio.create_task(kill_later()))
    start = time.monotonic()
    await asyncio.gather(*tasks)
    return stats, time.monotonic() - start


# ------------------------------------------------------------------ the server and the databases

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(address) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


class Server:
    def __init__(self, url: str, workers: int, threads: int):
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=url, FORMS_LIMIT_SUBMIT="1000000 per hour",
                   FORMS_LIMIT_LOOKUP_FAIL="1000000 per hour", FORMS_LIMIT_PREFIX=f"bench-{uuid.uuid4().hex}")
        env.pop("REDIS_URL", None)
        if reachable(REDIS):
            env["REDIS_URL"] = f"redis://{REDIS[0]}:{REDIS[1]}/0"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--timeout", "60", "--keep-alive", str(KEEPALIVE),
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "forms_app:create_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        import urllib.request
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start:\n" + self.proc.stderr.read().decode()[-3000:])
                time.sleep(0.3)
        time.sleep(2.0)  # every worker loaded

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill_one_worker(self) -> None:
        pids = self.workers()
        if pids:
            os.kill(pids[0], signal.SIGKILL)  # one worker of the gunicorn master this script started
            print(f"    (killed worker {pids[0]} of {len(pids)})", flush=True)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def fresh_database(kind: str, folder: Path):
    """(url, cleanup) of an empty, migrated database."""
    from forms_app.cli import upgrade
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        upgrade(url)
        return url, lambda: None
    import psycopg
    plain = PG_BASE.replace("+psycopg", "")
    schema = f"forms_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    upgrade(url)

    def drop():
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return url, drop


def verify(url: str, acknowledged: dict[str, str]) -> dict:
    """Every acknowledged token stored exactly once under its number; numbers unique."""
    from sqlalchemy import create_engine, text

    from forms_app.config import normalise_db_url
    engine = create_engine(normalise_db_url(url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, description FROM cases")).all()
    engine.dispose()
    token_re = re.compile(r"压测(?:提交|接口) ([0-9a-f]{32})")
    stored: dict[str, list[str]] = {}
    for number, description in rows:
        m = token_re.search(description or "")
        if m:
            stored.setdefault(m.group(1), []).append(number)
    lost = [t for t in acknowledged if t not in stored]
    duplicated = [t for t, ns in stored.items() if len(ns) > 1]
    wrong = [t for t, n in acknowledged.items() if t in stored and stored[t] != [n]]
    numbers = [n for n, _ in rows]
    return {"acknowledged": len(acknowledged), "stored": len(rows), "lost": len(lost), "duplicated": len(duplicated),
            "wrong_number": len(wrong), "duplicate_numbers": len(numbers) - len(set(numbers)),
            "stored_unacknowledged": len([t for t in stored if t not in acknowledged])}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def report(name: str, stats: Stats, seconds: float, goal_p99: float | None) -> None:
    subs = len(stats.acknowledged)
    p50, p99 = percentile(stats.latencies, 0.5) * 1000, percentile(stats.latencies, 0.99) * 1000
    errors = ", ".join(f"{k} {v}" for k, v in sorted(stats.errors.items())) or "none"
    goal = f" (goal <= {goal_p99:.0f} ms: {'met' if p99 <= goal_p99 else 'NOT met'})" if goal_p99 else ""
    print(f"  {name:<11} {seconds:5.1f} s  submissions {subs:6d} = {subs / seconds:7.1f}/s  "
          f"requests {stats.requests / seconds:7.1f}/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms{goal}  errors: {errors}",
          flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--steady", type=float, default=60.0, help="seconds of the steady run (default 60)")
    ap.add_argument("--saturation", type=float, default=30.0, help="seconds of the saturation run (default 30)")
    ap.add_argument("--fault", type=float, default=60.0, help="seconds of the fault run (default 60; 0 skips)")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--api-users", type=int, default=10)
    ap.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    args = ap.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"forms_load: gunicorn {args.workers} workers x {args.threads} threads, {args.users} residents + "
          f"{args.api_users} API clients, think {args.think[0]:g}-{args.think[1]:g} s, "
          f"limits in {'Redis' if reachable(REDIS) else 'memory'}; {os.cpu_count()} cores shared with the client")
    ok, goals = True, []
    for kind in kinds:
        if kind == "postgresql" and not reachable(("127.0.0.1", 5432)):
            print("postgresql: not reachable at 127.0.0.1:5432, skipped")
            continue
        print(f"{kind}:", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            url, cleanup = fresh_database(kind, Path(tmp))
            server = Server(url, args.workers, args.threads)
            acknowledged: dict[str, str] = {}
            try:
                runs = [("steady", args.steady, args.think, None, 300.0 if kind == "postgresql" else None),
                        ("saturation", args.saturation, (0.0, 0.0), None, None),
                        ("fault", args.fault, args.think, server.kill_one_worker, None)]
                for name, seconds, think, fault, goal in runs:
                    if seconds <= 0:
                        continue
                    stats, took = asyncio.run(load(server.port, seconds, args.users, args.api_users, think,
                                                   args.timeout, fault))
                    report(name, stats, took, goal)
                    acknowledged.update(stats.acknowledged)
                    goals.append((f"{kind} {name}: 0 errors", not stats.errors))
                    if goal:
                        goals.append((f"{kind} {name}: p99 <= {goal:.0f} ms",
                                      percentile(stats.latencies, 0.99) * 1000 <= goal))
            finally:
                server.stop()
            result = verify(url, acknowledged)
            good = not (result["lost"] or result["duplicated"] or result["wrong_number"] or result["duplicate_numbers"])
            ok &= good
            goals.append((f"{kind}: 0 lost, 0 duplicated, unique numbers", good))
            print("  check: " + ", ".join(f"{k} {v}" for k, v in result.items()) +
                  ("  -> every acknowledged submission stored exactly once" if good else "  -> FAILED"), flush=True)
            cleanup()
    print("goals: " + "; ".join(f"{what} {'met' if met else 'NOT met'}" for what, met in goals))
    # Exit 1 only when a submission was lost or duplicated: latency and errors depend on the machine.
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
