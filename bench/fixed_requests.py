#!/usr/bin/python3
"""Sends an exact number of requests over one keep-alive connection.

wrk runs for a duration, not a request count; instruction counting (callgrind)
needs a known count so the total can be divided by it. Requests go out in
batches of --depth (1 = one request, one response, like a non-pipelined client)
and every response is read in full before the next batch.
"""
import argparse
import socket
import sys
import time


def read_responses(sock: socket.socket, buf: bytes, count: int) -> bytes:
    """Reads `count` complete responses; returns bytes read past the last one."""
    while count:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            length = 0
            for line in buf[:head_end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            end = head_end + 4 + length
            if len(buf) >= end:
                if not buf.startswith(b"HTTP/1.1 200"):
                    sys.exit(f"unexpected response: {buf[:64]!r}")
                buf = buf[end:]
                count -= 1
                continue
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("server closed the connection")
        buf += chunk
    return buf


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--depth", type=int, default=1, help="requests per write")
    parser.add_argument("--json", help="POST this JSON body instead of a GET")
    args = parser.parse_args()

    if args.json is None:
        request = f"GET {args.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    else:
        body = args.json.encode()
        request = (f"POST {args.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    started = time.monotonic()
    left = args.requests
    buf = b""
    while left:
        batch = min(args.depth, left)
        sock.sendall(request * batch)
        buf = read_responses(sock, buf, batch)
        left -= batch
    elapsed = time.monotonic() - started
    sock.close()
    print(f"{args.requests} requests in {elapsed:.2f}s ({args.requests / elapsed:,.0f} req/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
