"""Data parallelism: a Mesh of all devices, batch split on ``data``, parameters replicated.

The mesh has a ``model`` axis of size 1 so model parallelism can be added without
changing callers. Each process feeds only its slice of the global batch.
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from lstm_jax.errors import ConfigError


def make_mesh(num_devices: int = -1) -> Mesh:
    devices = jax.devices()
    if num_devices > 0:
        if num_devices > len(devices):
            raise ConfigError(f"mesh.num_devices={num_devices} but only {len(devices)} exist")
        devices = devices[:num_devices]
    return Mesh(np.asarray(devices).reshape(-1, 1), ("data", "model"))


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, PartitionSpec())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, PartitionSpec("data"))


def check_batch_size(batch_size: int, mesh: Mesh) -> None:
    n = mesh.shape["data"]
    if batch_size % n:
        raise ConfigError(
            f"batch_size={batch_size} does not split over {n} devices; use a multiple of {n}"
        )


def shard_batch(batch: dict, mesh: Mesh) -> dict:
    """Global numpy batch -> global jax arrays; each process contributes its own rows.

    A batch whose rows do not split over the devices (a batch-1 test evaluation) is
    replicated: every device computes all of it.
    """
    sharding = batch_sharding(mesh)
    p, n = jax.process_index(), jax.process_count()

    def put(x):
        if x.shape[0] % mesh.shape["data"]:
            return jax.make_array_from_process_local_data(replicated(mesh), x, x.shape)
        rows = x.shape[0] // n
        local = x[p * rows : (p + 1) * rows]
        return jax.make_array_from_process_local_data(sharding, local, x.shape)

    return jax.tree.map(put, batch)
