"""Why a trial failed, in one line for the user, from beneath Ray's wrappers (driver side: the exception a
worker group or a Tune trial raised)."""

from __future__ import annotations

import re

from ray.exceptions import RayActorError

from ..errors import UserError


def failure_reason(err: BaseException) -> str:
    """One line for the user: the error the trial's own code raised, beneath Ray's wrappers.

    A worker group (``trainer.worker_group``) raises ``WorkerGroupError`` with the per-rank exceptions in
    ``worker_failures`` (as Ray Train's error of that name does); a Tune trial's error is a ``RayTaskError``
    whose ``cause`` is what the trainable raised. Of several ranks' errors the most telling wins: a message
    our code wrote for the user (a health check, a config or data problem) over a worker that died over
    anything else, lowest rank first (a worker's death makes the others fail in their next collective)."""
    exc = _unwrap(err)
    failures = getattr(exc, "worker_failures", None)
    if failures:
        rank, exc = min(failures.items(), key=lambda item: (_rank_of(item[1]), item[0]))
        exc = _unwrap(exc)
        died = _worker_death(exc)
        if died:
            return f"training worker rank {rank} {died}"
    controller = getattr(exc, "controller_failure", None)
    if controller is not None:
        exc = _unwrap(controller)
    died = _worker_death(exc)
    if died:
        return f"a training worker {died}"
    if isinstance(exc, UserError):
        return _first_line(str(exc)) or type(exc).__name__
    text = _first_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _unwrap(exc: BaseException) -> BaseException:
    """Through Ray's RayTaskError (``cause``) and Ray Train's user-exception wrapper (``_base_exc``)."""
    for _ in range(10):
        inner = getattr(exc, "cause", None) or getattr(exc, "_base_exc", None)
        if not isinstance(inner, BaseException) or inner is exc:
            return exc
        exc = inner
    return exc


def _worker_death(exc: BaseException) -> str | None:
    """'(pid N) died ...' for a worker whose process ended (its actor died, or Ray Train's health check failed)."""
    cause = getattr(exc, "health_check_failure", exc)
    if not isinstance(cause, RayActorError):
        return None
    m = re.search(r"pid[:=]\s*(\d+)", str(cause)) or re.search(r"pid[:=]\s*(\d+)", str(exc))
    pid = f"(pid {m.group(1)}) " if m else ""
    return f"{pid}died: its process ended unexpectedly (killed, e.g. by the OOM killer or SIGKILL, or crashed)"


def _rank_of(exc: BaseException) -> int:
    exc = _unwrap(exc)
    if isinstance(exc, UserError):
        return 0
    return 1 if _worker_death(exc) else 2
