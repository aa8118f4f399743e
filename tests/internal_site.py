"""An "internal service" on 127.0.0.1 for the address-guard tests (ingest and ``reminder extract URL``).

``/go`` redirects to ``/secret`` on 127.0.0.1; ``/secret`` serves a notice page and is what a guarded
fetch must never reach. ``site.hits`` lists the paths requested, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["InternalSite", "internal_site"]


@dataclass
class InternalSite:
    port: int
    hits: list[str] = field(default_factory=list)


@contextmanager
def internal_site(page: str) -> Iterator[InternalSite]:
    """Serve ``page`` at /secret and a redirect to it at /go, until the block ends."""
    site = InternalSite(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits.append(self.path)
            if self.path == "/go":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{site.port}/secret")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
