"""Orbax checkpoints of a training run: parameters, optimiser state and the data position.

Three items per step, so that a sampler (or a fine-tuning run starting from a pre-trained one)
can restore the parameters alone: `params`, `opt` (step counter and optimiser state) and `meta`
(JSON: the step, batches consumed, anything else the loop wants to resume exactly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import orbax.checkpoint as ocp

from contests.errors import DataError


def abstract_with_shardings(tree, shardings):
    """ShapeDtypeStructs carrying where each array should be restored to."""
    return jax.tree.map(lambda x, s: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s), tree, shardings)


class CheckpointStore:
    def __init__(self, directory: str | Path, *, keep: int | None = 3, read_only: bool = False):
        self.directory = Path(directory).resolve()
        if read_only and not self.directory.is_dir():
            raise DataError(self.directory, None, "no checkpoints directory")
        # Readers open the manager without Orbax's read_only option, which only adds warnings; they
        # never save.
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(max_to_keep=None if read_only else keep, create=not read_only),
            item_names=("params", "opt", "meta"),
        )

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def all_steps(self) -> list[int]:
        return list(self._manager.all_steps())

    def save(self, step: int, params, opt: Any, meta: dict) -> None:
        """Asynchronous: the arrays are copied and written in the background; wait() or close()."""
        self._manager.save(
            step,
            args=ocp.args.Composite(
                params=ocp.args.StandardSave(params),
                opt=ocp.args.StandardSave(opt),
                meta=ocp.args.JsonSave(meta),
            ),
            force=True,
        )

    def restore(self, step: int | None, abstract_params, abstract_opt=None) -> tuple[Any, Any, dict]:
        """(params, opt or None, meta) at STEP (default: the latest). The abstract trees give
        shapes, dtypes and shardings (see abstract_with_shardings)."""
        step = self.latest_step() if step is None else step
        if step is None:
            raise DataError(self.directory, None, "no checkpoint to restore")
        if step not in self.all_steps():
            raise DataError(self.directory, None, f"no checkpoint at step {step} (have {self.all_steps()})")
        items = {"params": ocp.args.StandardRestore(abstract_params), "meta": ocp.args.JsonRestore()}
        if abstract_opt is not None:
            items["opt"] = ocp.args.StandardRestore(abstract_opt)
        restored = self._manager.restore(step, args=ocp.args.Composite(**items))
        return restored["params"], restored.get("opt") if abstract_opt is not None else None, dict(restored["meta"])

    def wait(self) -> None:
        self._manager.wait_until_finished()

    def close(self) -> None:
        self._manager.wait_until_finished()
        self._manager.close()

    def __enter__(self) -> "CheckpointStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
