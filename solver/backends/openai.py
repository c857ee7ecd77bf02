"""`openai:URL`: any OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, a hosted API, or
`csim solver serve`), through /completions (base prompts) or /chat/completions (chat prompts).

One request per sample (n=1, with the sample's seed), so every sample is cached on its own. At
most `concurrency` requests are in flight; 429, 5xx, timeouts and dropped connections are retried
with exponential backoff and jitter (tenacity); any other refusal stops the draw with the
server's own message on one line.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Callable, Sequence

from contests.errors import DataError
from solver.backends.base import Generation, Prompt, SamplingParams

API_STYLES = {"completions": "base", "chat": "chat"}


class ServerRefused(DataError):
    """The server answered, and not with a sample."""


class _Transient(Exception):
    """An answer worth asking again for (429, 5xx)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


def server_message(response) -> str:
    """The server's own words, on one line: OpenAI's {"error": {"message"}}, else the body's start."""
    try:
        body = response.json()
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else error or body.get("detail") or body.get("message")
        text = str(message) if message else json.dumps(body)
    except (ValueError, AttributeError):
        text = response.text
    line = " ".join(text.split())
    return line[:300] + ("..." if len(line) > 300 else "") if line else response.reason_phrase


class OpenAIBackend:
    kind = "openai"

    def __init__(self, url: str, model: str, *, api: str = "chat", api_key_env: str | None = None,
                 concurrency: int = 8, timeout: float = 600.0, retries: int = 5, backoff: float = 1.0,
                 extra_body: dict | None = None):
        if not url.startswith(("http://", "https://")):
            raise DataError("--solver", None, f"openai:URL needs an http(s) URL, e.g. "
                                              f"openai:http://127.0.0.1:8000/v1, not {url!r}")
        if not model:
            raise DataError("--model", None, "openai:URL needs the served model's name: pass --model NAME")
        if api not in API_STYLES:
            raise DataError("--api", None, f"expected one of {', '.join(API_STYLES)}, not {api!r}")
        self.api_key = None
        if api_key_env:
            self.api_key = os.environ.get(api_key_env)
            if not self.api_key:
                raise DataError("--api-key-env", None, f"the environment variable {api_key_env} is not set")
        if concurrency < 1:
            raise DataError("--concurrency", None, "must be at least 1")
        self.url = url.rstrip("/")
        self.model = model  # the identity that keys the generation cache: the served model's name
        self.api = api
        self.default_style = API_STYLES[api]
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.extra_body = dict(extra_body or {})
        self.served_model: str | None = None  # the model name the server reports in its answers
        self.attempts = 0  # requests sent, retries included

    def describe(self) -> dict:
        return {"backend": self.kind, "url": self.url, "model": self.model, "api": self.api,
                "served_model": self.served_model, "extra_body": self.extra_body}

    def close(self) -> None:
        pass

    def body(self, prompt: Prompt, params: SamplingParams, seed: int) -> dict:
        body = {"model": self.model, "max_tokens": params.max_new_tokens, "temperature": params.temperature,
                "seed": seed, "n": 1, **self.extra_body}
        if params.top_p is not None:
            body["top_p"] = params.top_p
        if params.top_k is not None:
            body["top_k"] = params.top_k  # not in OpenAI's API; vLLM, SGLang, llama.cpp and csim take it
        if self.api == "chat":
            if prompt.style != "chat":
                raise DataError("--api", None, "the chat API takes chat prompts: use --prompt-style chat or "
                                               "--api completions")
            body["messages"] = [{"role": role, "content": content} for role, content in prompt.messages]
        else:
            if prompt.style != "base":
                raise DataError("--api", None, "the completions API takes base prompts: use --prompt-style "
                                               "base or --api chat")
            body["prompt"] = prompt.text
        return body

    def generate(self, prompt: Prompt, params: SamplingParams, seeds: Sequence[int],
                 on_done: Callable[[int, Generation], None]) -> None:
        bodies = [self.body(prompt, params, s) for s in seeds]
        asyncio.run(self._generate_all(bodies, on_done))

    async def _generate_all(self, bodies: list[dict], on_done) -> None:
        import httpx

        endpoint = f"{self.url}/{'chat/completions' if self.api == 'chat' else 'completions'}"
        retryable = (_Transient, httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        gate = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(headers=headers, timeout=self.timeout, limits=limits) as client:
            async def one(i: int, body: dict) -> None:
                async with gate:
                    generation = await self._request(client, endpoint, retryable, body)
                # On the loop: on_done extracts the code and hands the sample to the cache, whose writer
                # stores it in batches off the loop; a thread hop per sample cost more than that work.
                on_done(i, generation)

            tasks = [asyncio.create_task(one(i, b)) for i, b in enumerate(bodies)]
            try:
                await asyncio.gather(*tasks)
            finally:  # one refusal stops the draw: what is in flight is dropped, never half-stored
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _request(self, client, endpoint: str, retryable: tuple, body: dict) -> Generation:
        import httpx

        try:
            try:  # the first attempt outside tenacity: its loop cost more per request than parsing the answer
                return await self._attempt(client, endpoint, body)
            except retryable:
                if self.retries == 0:
                    raise
            # Then tenacity, with the waits one retry loop from the first attempt would have had:
            # random up to backoff * 2^(k-1) seconds (at most 60) after attempt k.
            await asyncio.sleep(random.uniform(0, min(60.0, self.backoff)))
            from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

            retrying = AsyncRetrying(stop=stop_after_attempt(self.retries),
                                     wait=wait_random_exponential(multiplier=2 * self.backoff, max=60),
                                     retry=retry_if_exception_type(retryable), reraise=True)
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(client, endpoint, body)
        except _Transient as e:
            raise ServerRefused(endpoint, None, f"the server answered HTTP {e.status} {self.retries + 1} times: "
                                                f"{e.message}") from None
        except httpx.TimeoutException:
            raise ServerRefused(endpoint, None, f"no answer within {self.timeout:g} s, {self.retries + 1} times "
                                                f"(raise --request-timeout?)") from None
        except httpx.HTTPError as e:
            raise ServerRefused(endpoint, None, f"cannot reach the server ({type(e).__name__}: {e})") from None

    async def _attempt(self, client, endpoint: str, body: dict) -> Generation:
        """One request: the sample, or _Transient (worth asking again), or ServerRefused."""
        self.attempts += 1
        start = time.perf_counter()
        response = await client.post(endpoint, json=body)
        seconds = time.perf_counter() - start
        if response.status_code == 429 or response.status_code >= 500:
            raise _Transient(response.status_code, server_message(response))
        if response.status_code >= 400:
            raise ServerRefused(endpoint, None, f"the server refused (HTTP {response.status_code}): "
                                                f"{server_message(response)}")
        return self._parse(endpoint, response, seconds)

    def _parse(self, endpoint: str, response, seconds: float) -> Generation:
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"] if self.api == "chat" else choice["text"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ServerRefused(endpoint, None, "the answer is not an OpenAI-style completion: "
                                                + " ".join(response.text.split())[:200]) from None
        usage = data.get("usage") or {}
        self.served_model = self.served_model or data.get("model")
        return Generation(text or "", usage.get("prompt_tokens"), usage.get("completion_tokens"), seconds,
                          choice.get("finish_reason"))
