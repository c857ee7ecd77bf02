"""Progress is drawn in one place (simulator.cli.progress): bars on a terminal, and where stderr is
not one (a log file, CI) plain lines that stay, instead of bars that vanish."""

from __future__ import annotations

import io

from rich.console import Console

from simulator.cli.progress import ProgressView, training_progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def view(clock, *, terminal: bool = False, enabled: bool = True):
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=200)
    return ProgressView(console, enabled=enabled, log_every=10, clock=clock), out


def test_off_a_terminal_progress_leaves_a_first_a_periodic_and_a_last_line():
    clock = Clock()
    progress, out = view(clock)
    with progress:
        update = progress.task("filtering", 100)
        for done in range(101):
            clock.now = done * 0.5  # 50 s in all: a line at 0, 10, 20, 30, 40 s and the last at 100/100
            update(done)
    lines = out.getvalue().splitlines()
    assert lines[0] == "filtering: 0/100 (0.0 s)"
    assert lines[1] == "filtering: 20/100 (10.0 s)"
    assert lines[-1] == "filtering: 100/100 (50.0 s)" and len(lines) == 6


def test_a_task_stopped_before_its_total_says_where_it_stopped():
    clock = Clock()
    progress, out = view(clock)
    with progress:
        update = progress.task("run 7")
        update(0, 5, description="run 7: A: solving")
        clock.now = 3.0
        update(2, 5, description="run 7: C: solving")  # within 10 s: no line yet
    assert out.getvalue().splitlines() == ["run 7: A: solving: 0/5 (0.0 s)", "run 7: C: solving: 2/5, stopped (3.0 s)"]


def test_training_progress_shows_the_loss_of_the_last_logged_step():
    clock = Clock()
    progress, out = view(clock)
    with progress:
        report = training_progress(progress)
        report(1, 2, None)
        clock.now = 1.0
        report(2, 2, {"loss": 1.23456, "tokens_per_s": 4321.0})
    assert out.getvalue().splitlines()[-1] == "training: 2/2, loss 1.2346, 4,321 tokens/s (1.0 s)"


def test_disabled_progress_writes_nothing():
    progress, out = view(Clock(), enabled=False)
    with progress:
        progress.task("x", 3)(3)
    assert out.getvalue() == ""
