"""The one place csim draws progress. Library code reports through callbacks (done, total, ...);
the command line turns them into rich bars on a terminal, and into plain lines on stderr where
nobody watches one (a log file, CI), so that a long run leaves a trace there instead of nothing.
With --json no such lines are written: a caller may read stdout and stderr as one stream."""

from __future__ import annotations

import time
from typing import Callable

LOG_EVERY_SECONDS = 10.0  # off a terminal: a line per task at most this often, besides its first and last


def progress_view(as_json: bool = False) -> "ProgressView":
    """Progress on stderr for a command: bars on a terminal; elsewhere log lines, unless AS_JSON."""
    from simulator.cli.common import make_console

    console = make_console(stderr=True)
    return ProgressView(console, enabled=console.is_terminal or not as_json)


class ProgressView:
    """A context manager handing out one update callback per task:
    update(done, total=None, detail="", description=None). ENABLED False draws nothing at all."""

    def __init__(self, console, *, enabled: bool = True, transient: bool = True,
                 log_every: float = LOG_EVERY_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.console, self.enabled, self.log_every, self.clock = console, enabled, log_every, clock
        self.terminal = enabled and console.is_terminal
        self.bars = None
        # task name -> (started, done, total, when its last line was written, its latest label)
        self.logged: dict[str, tuple[float, int, int | None, float, str]] = {}
        if self.terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console,
                                 transient=transient)

    def __enter__(self) -> "ProgressView":
        if self.bars is not None:
            self.bars.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bars is not None:
            self.bars.__exit__(*exc)
        for name in list(self.logged):
            self._finish_line(name)

    def task(self, name: str, total: int | None = None) -> Callable[..., None]:
        """The callback for one task called NAME (shown before its count)."""
        if not self.enabled:
            return _ignore
        if self.bars is not None:
            task = []  # added on the first update: a task never run draws no empty bar

            def draw(done: int, total: int | None = total, detail: str = "", description: str | None = None) -> None:
                if not task:
                    task.append(self.bars.add_task(name, total=total, detail=""))
                self.bars.update(task[0], completed=done, total=total, detail=detail,
                                 description=description or name)
            return draw

        def log(done: int, total: int | None = total, detail: str = "", description: str | None = None) -> None:
            now = self.clock()
            started, _, _, last, _ = self.logged.get(name, (now, 0, total, float("-inf"), name))
            label = description or name
            finished = total is not None and done >= total
            if now - last >= self.log_every or finished:
                self._line(label, done, total, detail, now - started)
                last = now
            self.logged[name] = (started, done, total, last, label)
            if finished:
                del self.logged[name]  # its last line is written
        return log

    def _line(self, label: str, done: int, total: int | None, detail: str, seconds: float) -> None:
        count = f"{done}/{total}" if total is not None else str(done)
        self.console.print(f"{label}: {count}{', ' + detail if detail else ''} ({seconds:.1f} s)",
                           markup=False, highlight=False, soft_wrap=True)

    def _finish_line(self, name: str) -> None:
        """A task stopped before its total (or had none): its last count, so the log shows where."""
        started, done, total, _, label = self.logged.pop(name)
        self._line(label, done, total, "stopped" if total is not None else "done", self.clock() - started)


def _ignore(*args, **kwargs) -> None:
    return None


def training_progress(view: ProgressView, name: str = "training"):
    """solver.model.train's progress callback (step, total, logged record or None) drawn in VIEW."""
    update = view.task(name)
    detail = [""]

    def report(step: int, total: int, logged: dict | None) -> None:
        if logged is not None:
            detail[0] = f"loss {logged['loss']:.4f}, {logged['tokens_per_s']:,.0f} tokens/s"
        update(step, total, detail[0])
    return report


def selection_progress(view: ProgressView):
    """solver.selection's Progress callbacks (filtering, clustering) drawn in VIEW."""
    from solver.selection.pipeline import Progress

    return Progress(filtering=view.task("filtering on the examples"),
                    clustering=view.task("running on generated inputs"))
