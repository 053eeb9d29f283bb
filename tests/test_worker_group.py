"""The trial's worker group (trainer/worker_group.py): the rendezvous environment it gives each rank, and on a
real local Ray, functions run one after another in the same processes with one process group."""

from __future__ import annotations

import os
import time

import pytest

from trainer.config import RayConfig
from trainer.worker_group import WorkerGroup, rendezvous_env


def test_rendezvous_on_one_node():
    envs = rendezvous_env([("10.0.0.5", "n1", []), ("10.0.0.5", "n1", [])], 29400)
    assert [e["RANK"] for e in envs] == ["0", "1"] and [e["LOCAL_RANK"] for e in envs] == ["0", "1"]
    assert all(e["MASTER_ADDR"] == "10.0.0.5" and e["MASTER_PORT"] == "29400" for e in envs)
    assert all(e["WORLD_SIZE"] == "2" and e["LOCAL_WORLD_SIZE"] == "2" and e["NODE_RANK"] == "0" for e in envs)
    assert all("CUDA_VISIBLE_DEVICES" not in e for e in envs)


def test_rendezvous_across_nodes_with_gpus():
    """Ranks 0 and 2 on one node, 1 and 3 on another; each node's ranks see both of its GPUs, LOCAL_RANK is the
    index of the rank's own GPU among them (numeric order: GPU 10 after GPU 2)."""
    places = [("a", "A", ["10"]), ("b", "B", ["0"]), ("a", "A", ["2"]), ("b", "B", ["3"])]
    envs = rendezvous_env(places, 1234)
    assert [e["MASTER_ADDR"] for e in envs] == ["a"] * 4
    assert [e["NODE_RANK"] for e in envs] == ["0", "1", "0", "1"]
    assert [e["CUDA_VISIBLE_DEVICES"] for e in envs] == ["2,10", "0,3", "2,10", "0,3"]
    assert [e["LOCAL_RANK"] for e in envs] == ["1", "0", "0", "1"]
    assert [e["LOCAL_WORLD_SIZE"] for e in envs] == ["2"] * 4


def where(config: dict) -> dict:
    """What one rank sees: its process, its rank in a process group formed from the group's environment (once
    per process), and a sum over the ranks."""
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("gloo")
    t = torch.tensor([float(dist.get_rank() + config["add"])])
    dist.all_reduce(t)
    return {"pid": os.getpid(), "rank": dist.get_rank(), "world": dist.get_world_size(), "sum": t.item()}


@pytest.fixture(scope="module")
def ray_cluster(ray_cluster):
    """conftest's Ray, with this module's functions pickled by value: workers cannot import a test module."""
    import sys

    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield


@pytest.mark.e2e
def test_runs_one_function_after_another_in_the_same_processes(ray_cluster):
    import ray

    free = ray.available_resources().get("CPU", 0)
    with WorkerGroup(RayConfig(num_workers=2), name="two-stages") as group:
        first = group.run(where, {"add": 0})
        assert ray.available_resources().get("CPU", 0) == free - 2  # both ranks' CPUs reserved together
        second = group.run(where, {"add": 10})
        assert first["rank"] == 0 and first["world"] == 2 and first["sum"] == 1.0 and second["sum"] == 21.0
        assert first["pid"] == second["pid"] == group.pids[0] and len(set(group.pids)) == 2
        assert group.fits(RayConfig(num_workers=2)) and not group.fits(RayConfig(num_workers=1))
    deadline = time.monotonic() + 30  # Ray reports released resources with a short delay
    while ray.available_resources().get("CPU", 0) < free and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray.available_resources().get("CPU", 0) == free  # shut down: the placement group is gone


@pytest.mark.e2e
def test_groups_of_one_name_side_by_side(ray_cluster):
    """A sweep's slots run their groups at once (the demo: three), all named after the sweep."""
    with (
        WorkerGroup(RayConfig(num_workers=1), name="slot") as a,
        WorkerGroup(RayConfig(num_workers=1), name="slot") as b,
    ):
        assert a.run(where, {"add": 1})["sum"] == b.run(where, {"add": 1})["sum"] == 1.0
        assert a.pids != b.pids


def state(config: dict) -> dict:
    """What a rank holds before a stage's function does anything: a process group, DeepSpeed loaded, and
    whether torch's generator is untouched since the process seeded it (torch seeds each process at random)."""
    import sys

    import torch
    import torch.distributed as dist

    seeded = torch.Generator().manual_seed(torch.initial_seed())
    return {
        "process_group": dist.is_initialized(),
        "deepspeed": "deepspeed" in sys.modules,
        "rng_untouched": torch.equal(seeded.get_state(), torch.get_rng_state()),
    }


@pytest.mark.e2e
def test_a_group_started_in_the_background_is_warm_and_draws_as_a_cold_one(ray_cluster):
    """A sweep slot's group starts while its first trial builds the data, and warms up (imports, process group,
    a first DeepSpeed engine) without drawing from torch's generator: a warm rank draws as a cold one."""
    from trainer.config import TrialConfig, to_dict

    cfg = TrialConfig()
    cfg.ray.num_workers = 2
    with WorkerGroup(cfg.ray, name="warm") as group:  # one group at a time: two ranks each, on two CPUs
        group.start_in_background(warm=to_dict(cfg))
        warm = group.run(state, {})
    with WorkerGroup(cfg.ray, name="cold") as group:
        cold = group.run(state, {})
    assert warm == {"process_group": True, "deepspeed": True, "rng_untouched": True}
    assert cold == {"process_group": False, "deepspeed": False, "rng_untouched": True}


@pytest.mark.e2e
def test_a_background_start_or_warm_up_that_fails_is_raised_by_the_next_run(ray_cluster):
    from trainer.ray_session import ResourceError
    from trainer.worker_group import WorkerGroupError

    with WorkerGroup(RayConfig(num_workers=64), name="too-big") as group:
        group.start_in_background()
        with pytest.raises(ResourceError):
            group.run(where, {"add": 0})
    with WorkerGroup(RayConfig(num_workers=1), name="bad-warm-up") as group:
        group.start_in_background(warm={"no_such_section": {}})
        with pytest.raises(WorkerGroupError) as e:
            group.run(where, {"add": 0})
        assert "no_such_section" in str(e.value.worker_failures[0])
        assert not group.actors  # a failed group is ended
