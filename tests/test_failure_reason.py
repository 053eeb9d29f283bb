"""The one-line reason a trial failed, from what a real worker group raises (``trainer/worker_group.py``, not
"training failed on rank(s) [1]"): our own message, a worker's exception, a worker that was killed."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from trainer.trial.failure import failure_reason


def worker(config: dict) -> int:
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():  # the rendezvous the group set up, as deepspeed.init_distributed reads it
        dist.init_process_group("gloo")
    rank, mode = dist.get_rank(), config["mode"]
    if mode == "ours" and rank == 1:
        from trainer.engine import TrialFailure

        raise TrialFailure("pretrain: 40 of 40 optimizer steps skipped (lower pretrain.lr)")
    if mode == "theirs" and rank == 1:
        try:
            {}["tokenizer"]
        except KeyError as e:
            raise ValueError("no tokenizer in the checkpoint\nsecond line") from e
    if mode == "killed" and rank == 1:
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)
    t = torch.zeros(1)
    dist.all_reduce(t)
    time.sleep(2)
    dist.all_reduce(t)
    return 0


@pytest.fixture(scope="module")
def ray_cluster(ray_cluster):
    """conftest's Ray, with this module's functions pickled by value: workers cannot import a test module."""
    import sys

    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield


@pytest.mark.parametrize(
    "mode, reason",
    [
        ("ours", r"pretrain: 40 of 40 optimizer steps skipped \(lower pretrain.lr\)"),
        ("theirs", r"ValueError: no tokenizer in the checkpoint"),
        (
            "killed",
            r"training worker rank 1 \(pid \d+\) died: its process ended unexpectedly \(killed, e.g. by the OOM "
            r"killer or SIGKILL, or crashed\)",
        ),
    ],
)
@pytest.mark.e2e
def test_the_reason_is_the_workers(ray_cluster, tmp_path, mode, reason):
    from trainer.config import RayConfig
    from trainer.worker_group import WorkerGroup, WorkerGroupError

    with WorkerGroup(RayConfig(num_workers=2), name=f"reason-{mode}") as group:
        with pytest.raises(WorkerGroupError) as e:
            group.run(worker, {"mode": mode})
        assert group.actors == []  # a group with a failed rank is ended, not reused
    assert re.fullmatch(r"training failed on rank\(s\) \[.*", str(e.value))  # what the group says
    assert 1 in e.value.worker_failures
    got = failure_reason(e.value)
    assert re.fullmatch(reason, got), got
