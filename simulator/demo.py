"""`csim demo`: the whole pipeline on the shipped demo contest, with embedded defaults."""

from __future__ import annotations

from simulator.replay import ReplaySettings

DEMO_INTRO = ("[bold]csim demo[/bold]: replaying the shipped demo contest (5 easy problems, Codeforces points rules, "
              "120 minutes). Its standings are [bold red]MADE UP[/bold red] (300 invented participants): the rank "
              "and rating below show the pipeline working, not anyone's strength.")
MEMORISE_NOTE = ("The demo model is trained on the demo's OWN problems and reference solutions, so it memorises "
                 "them: a good result shows that sampling -> filtering -> clustering -> judging -> scoring -> "
                 "placement -> rating -> SQL works end to end, not that the model can solve unseen problems.")

DEMO_SAMPLES = 64  # per problem with the JAX solver: enough for a memorising model, quick on 2 cores


def demo_settings(solver_kind: str, samples: int | None) -> ReplaySettings:
    if solver_kind == "jax":
        return ReplaySettings(schedule="alphacode", samples=samples or DEMO_SAMPLES)
    return ReplaySettings(schedule="alphacode", samples=samples or 1000)
