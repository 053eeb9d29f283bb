"""A trial's training processes (driver side): ``ray.num_workers`` Ray actors in one placement group, wired for
``torch.distributed``, that run one function after another — stage 1, then stage 2 — in the same processes.

Why not Ray Train's ``TorchTrainer``: each ``fit`` starts a controller, a worker group and half a dozen helper
actors before the first line of the worker function, about 10 s on any machine (measured: a no-op fit enters
its worker after 9.8–10.6 s; two bare actors importing torch are ready in 2.5–2.7 s), and a trial paid it
once per stage.  biasgen uses none of what that machinery adds (Train's checkpoints, restarts, elastic
scaling): a trial that fails is failed and retried whole by the sweep.  What it does need is here — resources
reserved together (a placement group: all ranks or none), the rendezvous environment ``deepspeed.init_distributed``
reads (``MASTER_ADDR``/``MASTER_PORT``/``RANK``/``WORLD_SIZE``/``LOCAL_RANK``), every rank's GPUs visible to
the ranks of its node (NCCL's peer-to-peer paths need them), and a failure that names the rank and its error
(``trainer/trial/failure.py`` reads :class:`WorkerGroupError`).

The actors share their owner's fate: when the driver process ends (a sweep's trial stopped, Ctrl-C), Ray
removes them and the placement group."""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from typing import Any, Callable

from . import timeline
from .ray_session import check_resources, free_port

FAILURE_GRACE_S = 5.0  # after a rank fails, how long the others get to fail too (a dead peer breaks their collectives)
WARM_UP = "trainer.trial.worker:warm_up"  # named, not imported: the driver side never loads torch


class WorkerGroupError(RuntimeError):
    """Ranks of a worker group failed: ``worker_failures`` maps rank -> the exception it raised (or the Ray error
    that says its process died)."""

    def __init__(self, worker_failures: dict[int, BaseException]):
        self.worker_failures = worker_failures
        # the ranks only: each rank's error (Ray's multi-line wrapper) is failure_reason's to read
        super().__init__(f"training failed on rank(s) {sorted(worker_failures)}")


class TrainingRank:
    """One training process (a Ray actor): sets up the rendezvous environment, then runs what it is given."""

    def where(self) -> tuple[str, str, list[str]]:
        import ray

        ctx = ray.get_runtime_context()
        return ray.util.get_node_ip_address(), ctx.get_node_id(), [str(g) for g in ray.get_gpu_ids()]

    def free_port(self) -> int:
        import ray

        return free_port(ray.util.get_node_ip_address())

    def setup(self, env: dict[str, str]) -> int:
        os.environ.update(env)
        return os.getpid()

    def run(self, fn: Callable[[dict], Any] | str, config: dict) -> Any:
        if isinstance(fn, str):  # "module:function", imported here: the driver need not import torch to name it
            module, name = fn.split(":")
            fn = getattr(importlib.import_module(module), name)
        return fn(config)


class WorkerGroup:
    """``ray_cfg.num_workers`` ranks, started on first use and kept until :meth:`shutdown` (or the ``with`` block
    ends); :meth:`run` runs a function on every rank and returns rank 0's result."""

    def __init__(self, ray_cfg, name: str = "trial"):
        self.cfg, self.name = ray_cfg, name
        self.actors: list = []
        self.pids: list[int] = []  # the ranks' process ids, in rank order
        self.pg = None
        self._warming: list = []  # the ranks' warm-up calls, not yet waited for (run() waits, and reads failures)
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None

    def fits(self, ray_cfg) -> bool:
        """Whether a trial with ``ray_cfg`` can run in this group (the same ranks and resources)."""
        shape = lambda r: (r.num_workers, r.cpus_per_worker, r.use_gpu)  # noqa: E731
        return shape(ray_cfg) == shape(self.cfg)

    def __enter__(self) -> WorkerGroup:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def start(self, warm: dict | None = None) -> None:
        """Reserve the ranks' resources together, start the actors and give each its rendezvous environment
        (a start that fails half-way leaves nothing behind).  ``warm``: a trial config (``to_dict``) whose
        settings the ranks warm up with (``trainer.trial.worker.warm_up``), without waiting for them.  Waits
        for a start in the background, and raises what it raised."""
        if self._starting is not None:
            self._starting.join()
            self._starting, error, self._start_error = None, self._start_error, None
            if error is not None:
                raise error
        self._start_now(warm)

    def _start_now(self, warm: dict | None) -> None:
        if self.actors:
            return
        try:
            self._start()
            if warm is not None:
                self._warming = [a.run.remote(WARM_UP, warm) for a in self.actors]
        except BaseException:
            self.shutdown()
            raise

    def start_in_background(self, warm: dict | None = None) -> None:
        """:meth:`start` in a thread, so that the ranks start, import and warm up while the caller goes on (a
        trial builds its data meanwhile); the next :meth:`start` or :meth:`run` waits for it."""
        import ray

        if self.actors or self._starting is not None or not ray.is_initialized():  # no Ray yet: on first use
            return

        def start() -> None:
            try:
                self._start_now(warm)
            except BaseException as e:  # raised again by the caller's next start() or run()
                self._start_error = e

        self._starting = threading.Thread(target=start, name=f"start {self.name}", daemon=True)
        self._starting.start()

    def _start(self) -> None:
        import ray
        from ray.util.placement_group import placement_group
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        r = self.cfg
        check_resources(r)
        timeline.mark("group_start", group=self.name)
        bundle = {"CPU": float(r.cpus_per_worker)} | ({"GPU": 1.0} if r.use_gpu else {})
        # unnamed: a placement group's name is unique across the cluster, and a sweep runs several groups
        self.pg = placement_group([dict(bundle) for _ in range(r.num_workers)], strategy="PACK")
        ray.get(self.pg.ready())  # waits while other trials hold the resources (check_resources ruled out "never")
        remote = ray.remote(TrainingRank)
        self.actors = [
            remote.options(
                num_cpus=r.cpus_per_worker,
                num_gpus=1 if r.use_gpu else 0,
                max_restarts=0,
                scheduling_strategy=PlacementGroupSchedulingStrategy(self.pg, placement_group_bundle_index=i),
            ).remote()
            for i in range(r.num_workers)
        ]
        places = ray.get([a.where.remote() for a in self.actors])
        port = ray.get(self.actors[0].free_port.remote())
        envs = rendezvous_env(places, port)
        self.pids = ray.get([a.setup.remote(env) for a, env in zip(self.actors, envs)])
        # into the trial's log (the console redirects the driver's stderr there), as Ray Train's line was
        print(f"biasgen: worker group {self.name} started: {r.num_workers} ranks, pids {self.pids}", file=sys.stderr)
        timeline.mark("group_ready", group=self.name, pids=self.pids)

    def run(self, fn: Callable[[dict], Any] | str, config: dict) -> Any:
        """``fn(config)`` on every rank (``fn``: a function, or ``"module:function"`` that the ranks import);
        rank 0's return value.  When a rank fails, the others get
        ``FAILURE_GRACE_S`` to fail too, then the group is ended and :class:`WorkerGroupError` names every
        failure (a group with a failed rank cannot run anything else)."""
        import ray

        self.start()
        refs = [a.run.remote(fn, config) for a in self.actors]  # each rank runs it after its warm-up, if any
        rank_of = {ref: i for i, ref in enumerate(refs)} | {ref: i for i, ref in enumerate(self._warming)}
        results: dict[int, Any] = {}
        failures: dict[int, BaseException] = {}
        pending, deadline, runs = refs + self._warming, None, set(refs)
        self._warming = []
        try:
            while pending:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                done, pending = ray.wait(pending, num_returns=1, timeout=timeout)
                if not done:  # the grace period is over: the rest are stuck in collectives with a dead peer
                    break
                for ref in done:
                    try:
                        result = ray.get(ref)
                        if ref in runs:  # not a warm-up's
                            results[rank_of[ref]] = result
                    except Exception as e:  # RayTaskError (the rank raised) or RayActorError (its process died)
                        failures.setdefault(rank_of[ref], e)  # a rank's first: its warm-up's, if that failed
                        deadline = deadline or time.monotonic() + FAILURE_GRACE_S
        except BaseException:  # interrupted (Ctrl-C): ranks still busy would hold up whatever ran next on them
            self.shutdown()
            raise
        if failures:
            self.shutdown()
            raise WorkerGroupError(failures)
        return results[0]

    def shutdown(self) -> None:
        if self._starting is not None and self._starting is not threading.current_thread():
            self._starting.join()  # a start in the background ends first, then its ranks go with the rest
            self._starting = self._start_error = None
        self._warming = []
        if not self.actors and self.pg is None:
            return
        import ray
        from ray.util.placement_group import remove_placement_group

        for a in self.actors:
            ray.kill(a, no_restart=True)
        self.actors = []
        if self.pg is not None:
            remove_placement_group(self.pg)
            self.pg = None


def rendezvous_env(places: list[tuple[str, str, list[str]]], port: int) -> list[dict[str, str]]:
    """Each rank's environment from where the ranks landed (``(node ip, node id, GPU ids)`` in rank order) and
    rank 0's free port: the rendezvous at rank 0's node, local ranks counted per node, and on GPU every GPU of
    the node's ranks visible to each of them, ``LOCAL_RANK`` indexing its own (as ``torch.cuda.set_device``
    expects)."""
    master = places[0][0]
    nodes = list(dict.fromkeys(node for _, node, _ in places))
    node_gpus = {
        node: sorted({g for _, n, gpus in places if n == node for g in gpus}, key=lambda g: (len(g), g))
        for node in nodes
    }
    envs = []
    for rank, (_, node, gpus) in enumerate(places):
        same_node = [r for r, (_, n, _) in enumerate(places) if n == node]
        env = {
            "MASTER_ADDR": master,
            "MASTER_PORT": str(port),
            "RANK": str(rank),
            "WORLD_SIZE": str(len(places)),
            "LOCAL_WORLD_SIZE": str(len(same_node)),
            "NODE_RANK": str(nodes.index(node)),
            "LOCAL_RANK": str(same_node.index(rank)),
        }
        if gpus:
            env["CUDA_VISIBLE_DEVICES"] = ",".join(node_gpus[node])
            env["LOCAL_RANK"] = str(node_gpus[node].index(gpus[0]))
        envs.append(env)
    return envs
