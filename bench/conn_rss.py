#!/usr/bin/python3
"""Measures how much resident memory a server spends per idle keep-alive connection.

Opens --connections TCP connections to 127.0.0.1:--port, sends one
`GET /plaintext` on each and reads its whole response, then keeps them all open
and idle and reads VmRSS of the server process (--pid) from /proc. Prints the
RSS before (read before the first connection, so start the server fresh) and
after, and the difference divided by the number of connections still open.

Output is one `key: value` pair per line, so scripts can pick fields with awk.
"""
import argparse
import errno
import resource
import selectors
import socket
import sys
import time

REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def read_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def raise_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        sys.exit(f"RLIMIT_NOFILE is {soft}, need at least {needed}; raise `ulimit -Hn`")


class Conn:
    """One client connection moving through connect -> send -> receive -> idle."""

    __slots__ = ("sock", "sent", "buf", "body_end")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sent = 0
        self.buf = b""
        self.body_end = -1  # index one past the body once the head is parsed

    def response_complete(self) -> bool:
        if self.body_end < 0:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end < 0:
                return False
            length = 0
            for line in self.buf[:head_end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            self.body_end = head_end + 4 + length
        return len(self.buf) >= self.body_end


def open_idle_connections(port: int, count: int, window: int, timeout: float) -> list:
    """Returns `count` sockets that each completed one request/response exchange.

    At most `window` connections are in flight at once so the server's listen
    backlog never overflows (a dropped SYN costs a one-second retransmit)."""
    sel = selectors.DefaultSelector()
    idle = []
    started = 0
    in_flight = 0
    deadline = time.monotonic() + timeout

    def start_one() -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rc = sock.connect_ex(("127.0.0.1", port))
        if rc not in (0, errno.EINPROGRESS):
            sys.exit(f"connect failed: {errno.errorcode.get(rc, rc)}")
        sel.register(sock, selectors.EVENT_WRITE, Conn(sock))

    while len(idle) < count:
        while in_flight < window and started < count:
            start_one()
            started += 1
            in_flight += 1
        if time.monotonic() > deadline:
            sys.exit(f"timed out with {len(idle)} of {count} connections ready")
        for key, events in sel.select(timeout=1.0):
            conn = key.data
            sock = conn.sock
            if events & selectors.EVENT_WRITE:
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    sys.exit(f"connect failed: {errno.errorcode.get(err, err)}")
                try:
                    conn.sent += sock.send(REQUEST[conn.sent:])
                except BlockingIOError:
                    continue
                if conn.sent == len(REQUEST):
                    sel.modify(sock, selectors.EVENT_READ, conn)
                continue
            try:
                chunk = sock.recv(4096)
            except BlockingIOError:
                continue
            if not chunk:
                sys.exit("server closed a connection before answering")
            conn.buf += chunk
            if conn.response_complete():
                if not conn.buf.startswith(b"HTTP/1.1 200"):
                    sys.exit(f"unexpected response: {conn.buf[:64]!r}")
                sel.unregister(sock)
                idle.append(sock)
                in_flight -= 1
    sel.close()
    return idle


def count_still_open(socks: list) -> int:
    """Counts sockets the server has not closed (no EOF or reset pending)."""
    open_count = 0
    for sock in socks:
        try:
            if sock.recv(1, socket.MSG_PEEK):
                open_count += 1  # unexpected data, but the connection is open
        except BlockingIOError:
            open_count += 1
        except OSError:
            pass
    return open_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="server process id")
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--window", type=int, default=256, help="connects in flight at once")
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds to wait before reading RSS after the last response")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    raise_nofile(args.connections + 64)
    before = read_rss_kib(args.pid)
    started = time.monotonic()
    socks = open_idle_connections(args.port, args.connections, args.window, args.timeout)
    elapsed = time.monotonic() - started
    time.sleep(args.settle)
    after = read_rss_kib(args.pid)
    still_open = count_still_open(socks)

    print(f"connections: {args.connections}")
    print(f"still_open: {still_open}")
    print(f"open_seconds: {elapsed:.2f}")
    print(f"rss_before_kib: {before}")
    print(f"rss_after_kib: {after}")
    per_conn = (after - before) * 1024 // max(still_open, 1)
    print(f"bytes_per_connection: {per_conn}")

    for sock in socks:
        sock.close()
    if still_open != args.connections:
        print(f"warning: the server closed {args.connections - still_open} idle connections "
              "before RSS was read", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
