"""The FastAPI comparison point for bench/run.

Serves the same two endpoints as the Aegis example app and the epoll baseline.
Handlers are `async def` so they run on the event loop rather than in
Starlette's thread pool, which is how a tuned FastAPI service is written.

Run with one uvicorn worker, e.g.:
    /usr/bin/python3 -m uvicorn fastapi_app:app --app-dir bench \
        --host 127.0.0.1 --port 8081 --log-level warning --no-access-log
"""
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/json")
async def json() -> dict:
    return {"message": "Hello, World!"}
