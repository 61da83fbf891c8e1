"""The FastAPI comparison point for bench/run.

Serves the same endpoints as the Aegis example app (and the epoll baseline for the first two).
Handlers are `async def` so they run on the event loop rather than in
Starlette's thread pool, which is how a tuned FastAPI service is written.

Run with one uvicorn worker, e.g.:
    /usr/bin/python3 -m uvicorn fastapi_app:app --app-dir bench \
        --host 127.0.0.1 --port 8081 --log-level warning --no-access-log
"""
from fastapi import FastAPI, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

app = FastAPI()


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/json")
async def json() -> dict:
    return {"message": "Hello, World!"}


class OrderIn(BaseModel):
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1000)


class OrderOut(BaseModel):
    id: int
    item: str
    quantity: int
    expand: bool


# The typed endpoint: a path parameter, a query parameter and a validated JSON body in, a model out.
@app.post("/typed/orders/{id}", response_model=OrderOut)
async def typed_order(id: int, body: OrderIn, expand: bool = Query(False)) -> OrderOut:
    return OrderOut(id=id, item=body.item, quantity=body.quantity, expand=expand)


# ---- the middleware stack of the Aegis example app, the way a tuned FastAPI service writes it ----
#
# bench/run starts this app twice: bare, and with FASTAPI_STACK=1, which adds the equivalent of the
# Aegis example's default layers: request id in and out, one access-log line per request through a
# queue (asynchronous) handler, security headers, and Starlette's CORSMiddleware. They are pure ASGI
# middleware (not BaseHTTPMiddleware, which is much slower), as a performance-minded user would write.
import logging
import logging.handlers
import os
import queue
import re
import time
import uuid

from fastapi.middleware.cors import CORSMiddleware

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class CorrelationId:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


class RequestLogging:
    def __init__(self, app):
        self.app = app
        records = queue.SimpleQueue()
        self.log = logging.getLogger("access")
        self.log.propagate = False
        self.log.setLevel(logging.INFO)
        self.log.addHandler(logging.handlers.QueueHandler(records))
        target = logging.FileHandler(os.environ.get("FASTAPI_ACCESS_LOG", "/dev/null"))
        self.listener = logging.handlers.QueueListener(records, target)
        self.listener.start()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in ("/health", "/health/ready"):
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def capture(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, capture)
        request_id = scope.get("state", {}).get("request_id", "-")
        client = scope["client"][0] if scope.get("client") else "-"
        self.log.info('%s "%s %s" %d %.3fms id=%s', client, scope["method"], scope["path"], status,
                      (time.perf_counter() - started) * 1000, request_id)


_SECURITY = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
]


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).extend(_SECURITY)
            await send(message)

        await self.app(scope, receive, send_with_headers)


if os.environ.get("FASTAPI_STACK") == "1":
    # add_middleware is LIFO: the last added is the outermost, as in the Aegis chain below:
    # CorrelationId -> RequestLogging -> SecurityHeaders -> CORS -> app.
    app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods=["*"],
                       allow_headers=["*"], allow_credentials=True)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLogging)
    app.add_middleware(CorrelationId)
