"""Devices and sharding: a (data, model) mesh, where each parameter and batch lives, and JAX start-up
(multi-host initialisation, the persistent compilation cache).

The same code runs on one CPU (a 1x1 mesh), on several local devices, and on several hosts
(docs/cluster-jax.md): batches are split over `data`; attention heads (or, where the head count
does not divide, the head size), the feed-forward width and the vocabulary over `model`
(Megatron-style tensor parallelism); with FSDP every parameter matrix is also split over `data` on
its largest dimension that `model` leaves free. A dimension that does not divide evenly is not
split (that weight is replicated over that axis).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

DATA, MODEL = "data", "model"

# parameter name -> the axes of its array that `model` may split, in order of preference. q and o
# fall back to the head size where the head count does not divide (the 1B preset has 11 heads);
# multi-query K/V (one head) stay whole on `model`, as in Megatron: they are 1/num_heads of q.
_MODEL_AXES = {"q": (1, 2), "k": (1,), "v": (1,), "o": (0, 1), "wi": (1,), "wo": (0,), "embedding": (0,),
               "lm_head": (1,)}


def start_runtime(*, distributed: bool = False, compilation_cache: str | Path | None = None) -> None:
    """Call before any computation. With DISTRIBUTED, jax.distributed.initialize() takes the
    coordinator from JAX_COORDINATOR_ADDRESS and this process's place from JAX_NUM_PROCESSES and
    JAX_PROCESS_ID when they are set, otherwise from the cluster's own variables (SLURM, Open MPI,
    Kubernetes, Cloud TPU); the compilation cache keeps even small compilations."""
    if distributed and not jax.distributed.is_initialized():
        count, index = os.environ.get("JAX_NUM_PROCESSES"), os.environ.get("JAX_PROCESS_ID")
        jax.distributed.initialize(num_processes=None if count is None else int(count),
                                   process_id=None if index is None else int(index))
    if compilation_cache is not None:
        Path(compilation_cache).mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(compilation_cache))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def make_mesh(data: int | None = None, model: int = 1, devices: list | None = None) -> Mesh:
    devices = list(devices if devices is not None else jax.devices())
    if data is None:
        if len(devices) % model:
            raise ValueError(f"{len(devices)} devices cannot be split into model-parallel groups of {model}")
        data = len(devices) // model
    if data * model > len(devices):
        raise ValueError(f"a {data}x{model} mesh needs {data * model} devices; JAX sees {len(devices)}")
    return Mesh(np.array(devices[: data * model]).reshape(data, model), (DATA, MODEL))


def _leaf_name(path) -> str:
    names = [getattr(k, "key", getattr(k, "name", None)) for k in path]
    names = [n for n in names if isinstance(n, str) and n != "value"]
    return names[-1] if names else ""


def param_spec(name: str, shape: tuple[int, ...], model_size: int, data_size: int = 1) -> P:
    """Where parameter NAME of SHAPE lives: `model` on the first of its _MODEL_AXES that divides;
    with DATA_SIZE > 1 (FSDP), `data` on the largest other dimension that divides, for matrices
    (norm scales and biases are too small to be worth a gather)."""
    spec: list[Any] = [None] * len(shape)
    if model_size > 1:
        for axis in _MODEL_AXES.get(name, ()):
            if axis < len(shape) and shape[axis] % model_size == 0:
                spec[axis] = MODEL
                break
    if data_size > 1 and len(shape) >= 2:
        free = [a for a in range(len(shape)) if spec[a] is None and shape[a] % data_size == 0]
        if free:
            spec[max(free, key=lambda a: shape[a])] = DATA
    return P(*spec)


def param_shardings(params, mesh: Mesh, *, fsdp: bool = False):
    """A NamedSharding per parameter (a tree shaped like params); FSDP also splits them over `data`."""
    model_size, data_size = mesh.shape[MODEL], mesh.shape[DATA] if fsdp else 1
    return jax.tree_util.tree_map_with_path(
        lambda path, x: NamedSharding(mesh, param_spec(_leaf_name(path), tuple(x.shape), model_size, data_size)),
        params,
    )


def put_global(tree, shardings):
    """Host arrays (the same on every process) -> global arrays placed by SHARDINGS (a matching
    tree); each process copies only the pieces its own devices hold, so this works on any number
    of hosts, where jax.device_put needs every device to be this process's."""
    def put(x, sharding):
        x = np.asarray(x)
        return jax.make_array_from_callback(x.shape, sharding, lambda index: x[index])

    return jax.tree.map(put, tree, shardings)


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, P())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """Leading (batch) axis split over `data`."""
    return NamedSharding(mesh, P(DATA))


def put_batch(batch: Mapping[str, np.ndarray], mesh: Mesh) -> dict[str, jax.Array]:
    """A global batch (every process builds the same one, from the same seed) -> global arrays
    split over `data`; each process copies only the rows its own devices hold, whichever rows
    the mesh gives them (on one host, all of them)."""
    sharding = batch_sharding(mesh)
    return put_global(dict(batch), {k: sharding for k in batch})
