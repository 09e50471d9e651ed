"""`serve`: the built static sites on localhost, for a person to look at (not for production)."""
from __future__ import annotations

import errno
import functools
import http.server
import sys
from pathlib import Path


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json",
                      ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))


def make_server(folder: Path, port: int, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    handler = functools.partial(Handler, directory=str(folder))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(folder: Path, port: int = 8000) -> int:
    if not (folder / "index.html").is_file():
        print(f"{folder} 里还没有生成好的网站，请先运行 python build.py build", file=sys.stderr)
        return 1
    try:
        server = make_server(folder, port)
    except OSError as exc:  # most often the port is taken (another serve, or scripts/run.sh)
        why = "这个端口已被别的程序占用" if exc.errno == errno.EADDRINUSE else exc.strerror
        print(f"无法在端口 {port} 上打开网站：{why}。换一个端口，例如 python build.py serve --port {port + 1}",
              file=sys.stderr)
        return 1
    print(f"网站已打开：http://127.0.0.1:{port}/ （按 Ctrl+C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
