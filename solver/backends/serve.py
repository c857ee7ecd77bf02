"""An OpenAI-compatible HTTP server over a local backend (`csim solver serve --backend hf:DIR`), so
that other harnesses can evaluate the model, and csim's openai: backend can be tested end to end.

Serves GET /v1/models, POST /v1/completions and POST /v1/chat/completions (n=1; `seed`, `top_k`
honoured) with starlette under uvicorn. Requests are answered one at a time (a lock around the
model); a dynamic batcher, as vLLM has, is not built. `app.state.requests` counts the sampling
requests answered, `app.state.active` those in progress.
"""

from __future__ import annotations

import threading
import time
import uuid

from contests.errors import DataError
from solver.backends.base import Prompt, SamplingParams


def make_app(backend, name: str):
    """A starlette app serving BACKEND (an HFBackend) under the model name NAME."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    lock = threading.Lock()

    def error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
        return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": name, "object": "model", "owned_by": "csim"}]})

    def sample(body: dict, prompt: Prompt):
        if body.get("model") not in (None, name):
            return None, error(404, f"no model {body.get('model')!r} here; this server serves {name!r}")
        if int(body.get("n", 1)) != 1:
            return None, error(400, "only n=1 is served")
        try:
            params = SamplingParams(temperature=float(body.get("temperature", 1.0)),
                                    top_p=None if body.get("top_p") is None else float(body["top_p"]),
                                    top_k=None if body.get("top_k") is None else int(body["top_k"]),
                                    max_new_tokens=int(body.get("max_tokens", 256)))
            seed = int(body.get("seed", 0))
        except (TypeError, ValueError) as e:
            return None, error(400, f"bad sampling parameter: {e}")
        start = time.perf_counter()
        with lock:
            app.state.active += 1
        try:
            with lock:
                text = backend.render(prompt)
                (row,), prompt_tokens = backend.sample_texts(text, params, [seed])
                app.state.requests += 1
        except DataError as e:
            return None, error(400, str(e))
        finally:
            with lock:
                app.state.active -= 1
        out, completion_tokens, reason = row
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        return (out, reason, usage, time.perf_counter() - start), None

    async def read(request: Request):
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def completions(request: Request) -> JSONResponse:
        from starlette.concurrency import run_in_threadpool

        body = await read(request)
        if body is None or not isinstance(body.get("prompt"), str):
            return error(400, "expected a JSON object with a string 'prompt'")
        result, failure = await run_in_threadpool(sample, body, Prompt("base", text=body["prompt"]))
        if failure is not None:
            return failure
        out, reason, usage, _ = result
        return JSONResponse({"id": f"cmpl-{uuid.uuid4().hex}", "object": "text_completion", "created": int(time.time()),
                             "model": name, "choices": [{"index": 0, "text": out, "finish_reason": reason,
                                                         "logprobs": None}], "usage": usage})

    async def chat(request: Request) -> JSONResponse:
        from starlette.concurrency import run_in_threadpool

        body = await read(request)
        messages = body.get("messages") if body else None
        if not isinstance(messages, list) or not all(
                isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
                for m in messages):
            return error(400, "expected a JSON object with 'messages': [{role, content}, ...]")
        prompt = Prompt("chat", messages=tuple((m["role"], m["content"]) for m in messages))
        result, failure = await run_in_threadpool(sample, body, prompt)
        if failure is not None:
            return failure
        out, reason, usage, _ = result
        return JSONResponse({"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion",
                             "created": int(time.time()), "model": name,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": out},
                                          "finish_reason": reason}], "usage": usage})

    app = Starlette(routes=[Route("/v1/models", models), Route("/v1/completions", completions, methods=["POST"]),
                            Route("/v1/chat/completions", chat, methods=["POST"])])
    app.state.requests = 0  # sampling requests answered
    app.state.active = 0  # ... and being answered now (waiting for the model included)
    return app
