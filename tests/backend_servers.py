"""HTTP servers for the backend tests, on 127.0.0.1 in a thread of the test process (so the test
can count the requests they answer): uvicorn serving a starlette app."""

from __future__ import annotations

import socket
import threading
import time


class ServerThread:
    def __init__(self, app):
        import uvicorn

        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def canned_app():
    """An OpenAI-style server that only replays canned answers, for retries and refusals:
    /flaky answers 429, then 503, then a completion; /bad refuses with 400; /down always 503;
    /slow answers after 2 s. app.state.calls counts requests per path."""
    import asyncio

    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def handle(request):
        kind = request.path_params["kind"]
        calls = request.app.state.calls
        calls[kind] = calls.get(kind, 0) + 1
        ok = {"choices": [{"index": 0, "text": "print(2 * int(input()))\n", "finish_reason": "stop"}],
              "model": "canned", "usage": {"prompt_tokens": 5, "completion_tokens": 7}}
        if kind == "flaky" and calls[kind] <= 2:
            status = 429 if calls[kind] == 1 else 503
            return JSONResponse({"error": {"message": "slow down"}}, status_code=status)
        if kind == "bad":
            return JSONResponse({"error": {"message": "max_tokens is too large:\n 999999 > 4096",
                                           "type": "invalid_request_error"}}, status_code=400)
        if kind == "down":
            return JSONResponse({"error": {"message": "no replica available"}}, status_code=503)
        if kind == "slow":
            await asyncio.sleep(2)
        return JSONResponse(ok)

    app = Starlette(routes=[Route("/{kind}/v1/completions", handle, methods=["POST"])])
    app.state.calls = {}
    return app


def seeded_app():
    """An OpenAI-style /v1/completions that answers at once with a program naming the request's
    seed (`print(SEED)`), so a stored sample shows which request it came from.
    app.state.requests counts the answers sent, app.state.active those being answered."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def handle(request):
        request.app.state.active += 1
        try:
            body = await request.json()
            answer = {"choices": [{"index": 0, "text": f"print({body['seed']})\n", "finish_reason": "stop"}],
                      "model": "seeded", "usage": {"prompt_tokens": 5, "completion_tokens": 4}}
            request.app.state.requests += 1
            return JSONResponse(answer)
        finally:
            request.app.state.active -= 1

    app = Starlette(routes=[Route("/v1/completions", handle, methods=["POST"])])
    app.state.requests = 0
    app.state.active = 0
    return app
