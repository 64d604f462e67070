"""HeadersFirstWorker: gunicorn's gthread worker, reading each request's headers in its event loop.

gthread hands a connection to a thread as soon as one byte of a request has
arrived, and the thread then blocks until the headers are complete. A client
that sends its headers slowly (slowloris) holds a thread for as long as it
likes: eight such clients held the eight threads of two workers, and every
other visitor waited. Here the worker's event loop reads the head of each
request without blocking, and a thread gets the connection only once the
blank line that ends the headers has arrived (or the head has grown past
what gunicorn's parser accepts, so that the parser answers it with its 4xx).
A slow client costs a socket and a buffer, not a thread; one that has not
sent its headers within HEADER_TIMEOUT_SECONDS is disconnected.

Everything after the head (parsing, the body, the app, keep-alive) is
gthread's own. Request bodies are still read on the thread: a production
deployment puts a buffering proxy in front (see the README), which also
shields the service from slow bodies and slow readers. TLS connections
(gunicorn's certfile) are left to gthread, since the head is encrypted.

This leans on gthread internals (TConn, the poller, enqueue_req); gunicorn
is pinned, and tests/faults/test_slow_clients.py runs the real thing.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import re
import selectors
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

HEADER_TIMEOUT_SECONDS = 20.0
END_OF_HEAD = b"\r\n\r\n"
# A blank line however its line ends come (CRLF, or a bare LF that gunicorn's
# parser refuses with 400): the head is complete, or complete enough to answer.
BLANK_LINE = re.compile(rb"\n\r?\n")
RECV_BYTES = 64 * 1024


class HeadersFirstWorker(ThreadWorker):
    """gthread, with request heads read by the event loop (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Connections whose head is still arriving, oldest deadline first.
        self.heading: collections.deque[TConn] = collections.deque()
        cfg = self.cfg
        self.max_head_bytes = (cfg.limit_request_line + 2
                               + cfg.limit_request_fields * (cfg.limit_request_field_size + 2)
                               + len(END_OF_HEAD))

    def accept(self, listener: Any) -> None:
        if self.cfg.is_ssl:
            super().accept(listener)
            return
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        # TConn leaves the socket non-blocking, as the event loop needs it.
        self._await_head(TConn(self.cfg, client_sock, client_addr, listener.getsockname()))

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection has its next request coming: read its head first too."""
        if self.cfg.is_ssl:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)

    def enqueue_req(self, conn: TConn) -> None:
        """Hand a connection to a thread, unless the next head is still incomplete.

        gthread re-queues a kept-alive connection at once when bytes of the
        next request were read with the last one (pipelining); those may be
        only the start of a head, which a thread would then wait on.
        """
        parser = conn.parser
        if not self.cfg.is_ssl and parser is not None and getattr(conn, "head", None) is None:
            pending = parser.unreader.take_buffered()
            if pending and not BLANK_LINE.search(pending) and len(pending) <= self.max_head_bytes:
                conn.sock.setblocking(False)
                self._await_head(conn, pending)
                return
            if pending:
                parser.unreader.unread(pending)
        super().enqueue_req(conn)

    def _await_head(self, conn: TConn, received: bytes = b"") -> None:
        conn.head = bytearray(received)
        conn.head_deadline = time.monotonic() + HEADER_TIMEOUT_SECONDS
        self.heading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ,
                             partial(self._on_head_readable, conn))

    def _on_head_readable(self, conn: TConn, client: Any) -> None:
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close_heading(conn)
            return
        # Only the tail can complete a blank line with the new bytes.
        start = max(len(conn.head) - 2, 0)
        conn.head += data
        if not BLANK_LINE.search(conn.head, start) and len(conn.head) <= self.max_head_bytes:
            return
        self.poller.unregister(conn.sock)
        self.heading.remove(conn)
        conn.data_ready = True  # gthread must not wait for data the loop already read
        super().enqueue_req(conn)

    def handle(self, conn: TConn) -> Any:
        """Runs in a thread: give the parser the head the event loop read, then serve."""
        head = getattr(conn, "head", None)
        if head:
            conn.head = None
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(bytes(head))
        return super().handle(conn)

    def murder_keepalived(self, force: bool = False) -> None:
        """Close idle kept-alive connections (gthread) and heads not sent in time."""
        super().murder_keepalived(force=force)
        now = time.monotonic()
        while self.heading and (force or self.heading[0].head_deadline <= now):
            self._close_heading(self.heading[0])

    def _close_heading(self, conn: TConn) -> None:
        with contextlib.suppress(OSError, KeyError, ValueError):
            self.poller.unregister(conn.sock)
        if conn in self.heading:
            self.heading.remove(conn)
        self.nr_conns -= 1
        conn.close()
