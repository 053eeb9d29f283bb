"""A Ray session for the driver: the cluster at ``ray.address``, or a private local one (own temp dir,
own ports) that is shut down afterwards. Never `ray stop`: that would kill every Ray on the machine."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator

from .runtime_env import REPO_ROOT, apply_defaults


class ResourceError(ValueError):
    pass


def worker_env(ray_cfg) -> dict[str, str]:
    env = apply_defaults()
    env |= {"DS_ACCELERATOR": "cuda" if ray_cfg.use_gpu else "cpu", "OMP_NUM_THREADS": str(ray_cfg.cpus_per_worker),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    for key in ("MLFLOW_ALLOW_FILE_STORE", "MLFLOW_TRACKING_URI", "HF_HOME", "HF_TOKEN"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def cluster_address(ray_cfg) -> str:
    """``ray.address``, else ``$RAY_ADDRESS`` (set for drivers started by ``ray job submit``); empty: private."""
    return ray_cfg.address or os.environ.get("RAY_ADDRESS", "")


@contextlib.contextmanager
def ray_session(ray_cfg, resources: dict[str, float] | None = None) -> Iterator[None]:
    import ray

    if ray.is_initialized():  # inside a Tune trial or a caller's session: use it as it is
        yield
        return
    env = worker_env(ray_cfg)
    address = cluster_address(ray_cfg)
    if address:
        ray.init(address=address, runtime_env={"env_vars": env}, log_to_driver=True)
        try:
            yield
        finally:
            ray.shutdown()
        return
    tmp = tempfile.mkdtemp(prefix="bgray-", dir="/tmp")  # short: Ray's socket paths must stay < 108 bytes
    num_gpus = None
    if ray_cfg.use_gpu:
        import torch

        num_gpus = torch.cuda.device_count()
    ray.init(address="local", num_cpus=os.cpu_count(), num_gpus=num_gpus, resources=resources, include_dashboard=False,
             _temp_dir=tmp, runtime_env={"env_vars": env}, log_to_driver=True, configure_logging=True,
             logging_level="warning", logging_config=ray.LoggingConfig(log_level="ERROR"))
    try:
        yield
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


def check_resources(ray_cfg) -> None:
    """Fail before starting if the trial can never be placed (Ray would wait forever)."""
    import ray

    have = ray.cluster_resources()
    cpus = ray_cfg.num_workers * ray_cfg.cpus_per_worker
    if have.get("CPU", 0) < cpus:
        raise ResourceError(f"ray.num_workers={ray_cfg.num_workers} x ray.cpus_per_worker={ray_cfg.cpus_per_worker} "
                            f"needs {cpus} CPUs but the Ray cluster has {have.get('CPU', 0):g}")
    if ray_cfg.use_gpu and have.get("GPU", 0) < ray_cfg.num_workers:
        raise ResourceError(f"ray.use_gpu with ray.num_workers={ray_cfg.num_workers} needs {ray_cfg.num_workers} GPUs "
                            f"but the Ray cluster has {have.get('GPU', 0):g}")
