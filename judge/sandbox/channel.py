"""JSON-lines conversation with a supervisor, over pipes or a socket, with a deadline on each answer."""

from __future__ import annotations

import os
import select
import time

from judge.sandbox.supervisor import json_line, parse_line


class SandboxDied(RuntimeError):
    """The supervisor went away or stopped answering; the box must be restarted."""


class Channel:
    """Send a JSON object per line; receive one per line. read_chunk/write_all are the transport."""

    def __init__(self, read_fd: int, write_fd: int):
        self._rfd, self._wfd = read_fd, write_fd
        self._buf = bytearray()

    def read_chunk(self) -> bytes | None:
        """Bytes read (b"" at the end of the stream), or None when nothing complete arrived yet."""
        return os.read(self._rfd, 1 << 16)

    def write_all(self, data: bytes) -> None:
        while data:
            data = data[os.write(self._wfd, data):]

    def readable_fd(self) -> int:
        return self._rfd

    def send(self, obj: dict) -> None:
        try:
            self.write_all(json_line(obj))
        except OSError as e:
            raise SandboxDied(f"cannot reach the sandbox supervisor ({e.strerror or e})") from None

    def recv(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SandboxDied(f"the sandbox supervisor did not answer within {timeout:.0f} s")
            ready, _, _ = select.select([self.readable_fd()], [], [], left)
            if not ready:
                continue
            try:
                chunk = self.read_chunk()
            except OSError as e:
                raise SandboxDied(f"lost the sandbox supervisor ({e.strerror or e})") from None
            if chunk is None:
                continue
            if not chunk:
                raise SandboxDied("the sandbox supervisor exited")
            self._buf += chunk
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        return parse_line(line)
