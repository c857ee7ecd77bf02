"""`csim`: the command line. Each command group lives in its own module, imported only when used,
so that `csim judge` does not pay for importing JAX."""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command or group
COMMANDS = {
    "judge": "simulator.cli.judge:judge",
    "contests": "simulator.cli.contests:contests",
    "rating": "simulator.cli.contests:rating",
    "solver": "simulator.cli.solver:solver",
    "solve": "simulator.cli.solve:solve",
    "replay": "simulator.cli.replay:replay",
    "demo": "simulator.cli.replay:demo",
    "report": "simulator.cli.replay:report",
    "runs": "simulator.cli.replay:runs",
    "compare": "simulator.cli.replay:compare",
    "analyze": "simulator.cli.analyze:analyze",
    "samples": "simulator.cli.backends:samples",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="csim", prog_name="csim")
def main() -> None:
    """Replay past programming contests against a code-generating solver and place it among the
    humans who really took part."""
