"""`serve`: the built static sites on localhost, for a person to look at (not for production)."""
from __future__ import annotations

import email.utils
import errno
import functools
import gzip
import http.server
import io
import os
import sys
from pathlib import Path

# Text files are sent gzip-compressed to a browser that accepts it: a village page opened from a
# QR code on a slow phone connection moved 623 KB before, most of it HTML, JavaScript and the
# search index, which shrink four- to eightfold.
COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".csv", ".txt", ".xml", ".map")


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json",
                      ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml"}

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not self.path.split("?", 1)[0].endswith("/") or not os.path.isfile(index):
                return super().send_head()  # the redirect to "dir/" or a listing, as before
            path = index
        accepts = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if not accepts or not path.endswith(COMPRESSIBLE) or not os.path.isfile(path):
            return super().send_head()
        try:
            stat = os.stat(path)
            body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """The file compressed once per version of it (mtime and size are part of the cache key)."""
    with open(path, "rb") as f:
        return gzip.compress(f.read(), compresslevel=6, mtime=0)


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
