"""gunicorn settings for the forms app: `gunicorn -c python:forms_app.gunicorn_conf "forms_app:create_app()"`.

What each setting is for, when a worker dies or is replaced:
- `preload_app`: the master loads the app (policy data, templates' imports) once and forks the
  workers from it, so a worker that dies is replaced in milliseconds, not after a second or more
  of loading while the others carry its share. The database engine the master created is not
  used before the fork; `post_fork` makes each worker drop it and open its own connections.
- `graceful_timeout`: on a restart (HUP, a deploy) or a recycle, a worker stops accepting and
  finishes the requests it holds for up to this long before it is killed.
- `max_requests` (+ jitter): each worker is recycled gracefully now and then (not all at once),
  which bounds slow memory growth without ever dropping a request.
- `timeout`: a worker stuck that long is killed and replaced (a hung database call).
- `keepalive`: how long an idle browser connection is kept; clients must not reuse a connection
  idle for longer (benchmarks/forms_load.py does not).
- `when_ready`: the preloaded app (policy data, templates, the ORM: about 108,000 objects) is
  frozen out of the garbage collector's reach before the workers are forked. Otherwise each
  worker's full collection walks all of them, about 50 ms with every thread of the worker stopped,
  and it runs every few seconds under load: that was most of the slowest 1 % of requests.
A worker killed outright (SIGKILL, out of memory) still drops the connections it held: clients
retry, and submissions carry a resubmission id so a retry never files a case twice.

Overridable from the environment: FORMS_WORKERS, FORMS_THREADS, FORMS_BIND.
"""
from __future__ import annotations

import gc
import os

bind = os.environ.get("FORMS_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("FORMS_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("FORMS_THREADS", "4"))
preload_app = True
graceful_timeout = 30
timeout = 60
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
# A deep accept queue: connections that arrive while a worker is being replaced wait, not fail.
backlog = 2048


def when_ready(server):
    """In the master, after the app was preloaded and before any worker is forked."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """The engine and its pool came from the master: forget its connections without closing
    them (they would be the master's sockets), so this worker opens its own."""
    app = server.app.wsgi()
    db = app.extensions.get("forms_db")
    if db is not None:
        db.engine.dispose(close=False)
