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
