"""Devices and sharding: a (data, model) mesh, where each parameter and batch lives, and JAX start-up
(multi-host initialisation, the persistent compilation cache).

The same code runs on one CPU (a 1x1 mesh), on several local devices, and on several hosts: batches
are split over `data`; attention heads, the feed-forward width and the vocabulary over `model`
(Megatron-style), wherever the size divides evenly (otherwise that weight is replicated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

DATA, MODEL = "data", "model"

# parameter name -> the axis of its array that `model` splits
_MODEL_AXIS = {"q": 1, "k": 1, "v": 1, "o": 0, "wi": 1, "wo": 0, "embedding": 0, "lm_head": 1}


def start_runtime(*, distributed: bool = False, compilation_cache: str | Path | None = None) -> None:
    """Call before any computation. jax.distributed reads the coordinator from the environment
    (or the cluster's own variables); the compilation cache keeps even small compilations."""
    if distributed and not jax.distributed.is_initialized():
        jax.distributed.initialize()
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


def param_spec(name: str, shape: tuple[int, ...], model_size: int) -> P:
    axis = _MODEL_AXIS.get(name)
    if axis is None or model_size == 1 or len(shape) <= axis or shape[axis] % model_size:
        return P()
    spec: list[Any] = [None] * len(shape)
    spec[axis] = MODEL
    return P(*spec)


def param_shardings(params, mesh: Mesh):
    """A NamedSharding per parameter (a tree shaped like params)."""
    model_size = mesh.shape[MODEL]
    return jax.tree_util.tree_map_with_path(
        lambda path, x: NamedSharding(mesh, param_spec(_leaf_name(path), tuple(x.shape), model_size)), params
    )


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, P())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """Leading (batch) axis split over `data`."""
    return NamedSharding(mesh, P(DATA))


def put_batch(batch: Mapping[str, np.ndarray], mesh: Mesh) -> dict[str, jax.Array]:
    """A global batch (every process builds the same one, from the same seed) -> global arrays
    split over `data`; each process contributes only its own rows (on one host, all of them)."""
    sharding = batch_sharding(mesh)
    index, count = jax.process_index(), jax.process_count()

    def local(rows: np.ndarray) -> np.ndarray:
        size = len(rows) // count
        return rows[index * size:(index + 1) * size]

    return {k: jax.make_array_from_process_local_data(sharding, local(np.asarray(v))) for k, v in batch.items()}
