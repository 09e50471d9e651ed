"""Requests through a data reload and a code upgrade of the forms app, under steady load.

    python benchmarks/forms_reload.py [--clients 16] [--workers 4] [--threads 4] [--baseline]

A copy of the project's code and data (forms_app/, policy/, builder/, policy_data/) in a temporary
folder is served by gunicorn with the production settings (forms_app/gunicorn_conf.py, the one
command of docs/operators.md) on 127.0.0.1, a fresh SQLite database. `--clients` threads send
requests one after another, each on a new connection as nginx does to its upstream: the complaint
form, the categories (Open311 services), /healthz, and Open311 submissions (POST, no retries).
Then, with the load running:

1. data reload: a complaint category is renamed in the copy's policy_data; the check that
   `systemctl reload` runs first (`flask ready`, deploy/systemd/health-forms.service) passes; HUP to the
   master; the load goes on until the services list shows the new name;
2. code upgrade: /healthz in the copy's forms_app answers with a new field; check; HUP; until seen;
3. a few seconds more.

Mechanism: gunicorn's own graceful reload (HUP): nothing is preloaded, so new workers import the
new code and load the new data; the listen socket stays open in the master, so connections wait in
its queue while workers change; and the old workers serve every connection they had accepted
before they exit (gunicorn_conf.DrainingThreadWorker). `--baseline` runs the same first with
gunicorn's stock gthread worker, which closes those connections unread (the resets nginx showed as
502). Printed: requests sent, failed (goal: 0), by kind; seconds until each change was seen; the
load average. Connects only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forms_app.cli import upgrade  # noqa: E402
from forms_app.local_gunicorn import LocalGunicorn, SteadyLoad, copy_project, reload_check  # noqa: E402

SERVICES = "/api/open311/v2/services.json?jurisdiction_id=zixi"
OLD_NAME, NEW_NAME = "住院被收了押金", "住院时被要求交押金（重新加载后）"


def change_data(root: Path) -> None:
    path = root / "policy_data" / "zixi" / "complaints.yaml"
    text = path.read_text(encoding="utf-8")
    assert OLD_NAME in text
    path.write_text(text.replace(f"name: {OLD_NAME}", f"name: {NEW_NAME}", 1), encoding="utf-8")


def change_code(root: Path) -> None:
    path = root / "forms_app" / "health.py"
    text = path.read_text(encoding="utf-8")
    old = 'return {"ok": True}'
    assert old in text
    path.write_text(text.replace(old, 'return {"ok": True, "release": "upgraded"}', 1), encoding="utf-8")


def drill(workers: int, threads: int, clients: int, after: float, extra_args: tuple[str, ...] = (),
          limit: int = 200_000) -> dict:
    """One run; returns sent, failed (by kind), and the seconds until each change showed."""
    with tempfile.TemporaryDirectory(prefix="forms-reload-") as tmp:
        root = copy_project(Path(tmp) / "project")
        url = f"sqlite:///{Path(tmp) / 'forms.sqlite3'}"
        upgrade(url)
        env = {"DATABASE_URL": url, "REDIS_URL": "", "FORMS_LIMIT_SUBMIT": "1000000 per hour"}
        out = {}
        with LocalGunicorn(env, workers=workers, threads=threads, root=root, extra_args=extra_args) as server:
            with SteadyLoad(server.port, clients=clients, limit=limit) as load:
                load.wait_for(SERVICES, OLD_NAME)
                time.sleep(after)
                for step, change, path, text in (("data", change_data, SERVICES, NEW_NAME),
                                                 ("code", change_code, "/healthz", "upgraded")):
                    change(root)
                    check = reload_check(root, env)
                    if check.returncode != 0:
                        raise RuntimeError(f"the reload check failed:\n{check.stdout}{check.stderr}")
                    server.reload()
                    out[f"{step}_seen_after_s"] = load.wait_for(path, text)
                    time.sleep(after)
            out.update(sent=load.sent, failed=load.failed_total, kinds=dict(load.failed))
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--after", type=float, default=3.0, help="seconds of load before and after each reload")
    parser.add_argument("--baseline", action="store_true", help="first the same with gunicorn's stock gthread worker")
    args = parser.parse_args()
    runs = [("stock gthread worker (baseline)", ("--worker-class", "gthread"))] if args.baseline else []
    runs.append(("gunicorn_conf.py (DrainingThreadWorker)", ()))
    print(f"{args.workers} workers x {args.threads} threads, {args.clients} clients; goal: 0 failed")
    for name, extra in runs:
        r = drill(args.workers, args.threads, args.clients, args.after, extra)
        print(f"{name}: sent {r['sent']}, failed {r['failed']} (goal 0); new data seen after "
              f"{r['data_seen_after_s']:.1f} s, new code after {r['code_seen_after_s']:.1f} s; "
              f"load average {os.getloadavg()[0]:.1f}")
        for kind, n in sorted(r["kinds"].items()):
            print(f"    {n:5d}  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
