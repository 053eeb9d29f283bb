"""What a person watching `run` or `sweep` sees: the project's own lines and a live view of the running
trials, with Ray, Tune, DeepSpeed, transformers and MLflow internals sent to a log file instead.

The internals are redirected at the file-descriptor level (``os.dup2`` of stdout and stderr onto the log):
Ray's C++ core workers, the log lines Ray forwards from every worker process and the Ray daemons started
under us all write there, whatever Python object they hold. The project's lines go to a duplicate of the
terminal taken before the redirect. On a terminal the view is a live block (rich) redrawn in place; on
anything else (a pipe, a Slurm log) it prints plain lines: one when a trial starts, one when it ends, and a
status line once a minute. rich is imported only for the live view on a terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from . import progress


class Console:
    """The project's lines. ``tty``: the stream is a terminal that can redraw a live block. ``log_path``: where
    the internals go once :meth:`redirect` has run (None before, and always under ``--verbose``)."""

    def __init__(self, stream: IO[str], tty: bool, pending_log: Path | None = None):
        self.stream, self.tty = stream, tty
        self.log_path: Path | None = None
        self._pending_log = pending_log
        self._saved: tuple[int, int] | None = None  # the original fds 1 and 2 while redirected
        self._live = None  # the rich Live while a view draws
        self._lock = threading.RLock()  # re-entrant: a signal handler (the Slurm job's) may print mid-line

    def line(self, text: str) -> None:
        """A line that stays (above the live block on a terminal)."""
        with self._lock:
            if self._live is not None:
                self._live.console.print(text, markup=False, highlight=False, soft_wrap=True)
            else:
                self.stream.write(text + "\n")
                self.stream.flush()

    def redirect(self) -> None:
        """From now on fds 1 and 2 write to the log file (appended). Called by whoever starts the work, once the
        input has been checked: bad input writes nothing, not even a log. A log that cannot be opened leaves
        the output where it is (the preflight has already said what is wrong with the folder, if anything)."""
        if self._pending_log is None or self._saved is not None:
            return
        path = Path(self._pending_log)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError:
            return
        os.write(
            log_fd, f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}: {' '.join(sys.argv)}\n".encode()
        )
        for s in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                s.flush()
        self._saved = (os.dup(1), os.dup(2))
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        self.log_path = path

    def restore(self) -> None:
        if self._saved is None:
            return
        for s in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                s.flush()
        os.dup2(self._saved[0], 1)
        os.dup2(self._saved[1], 2)
        for fd in self._saved:
            os.close(fd)
        self._saved = None


@contextlib.contextmanager
def quiet(log_path: Path | None, verbose: bool = False) -> Iterator[Console]:
    """A console whose internals can be sent to ``log_path`` (:meth:`Console.redirect`), unless ``verbose`` or
    no path is given. Whatever happens in the block, the output is restored at its end, so errors reach the
    terminal. MLflow's own INFO lines (a new store's tables) are dropped meanwhile: they come before the
    redirect, from the checks of the input."""
    if verbose or log_path is None:
        yield Console(sys.stdout, tty=False)
        return
    sys.stdout.flush()
    terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    tty = terminal.isatty() and os.environ.get("TERM", "") != "dumb"
    console = Console(terminal, tty, Path(log_path))
    import mlflow  # noqa: F401  (its import configures its logger: set the level after it)

    mlflow_log = logging.getLogger("mlflow")
    level = mlflow_log.level
    mlflow_log.setLevel(max(level, logging.WARNING))
    try:
        yield console
    finally:
        console.restore()
        mlflow_log.setLevel(level)
        with contextlib.suppress(Exception):
            terminal.close()


def gain_text(metrics: dict, missing: str) -> str:
    """A finished trial's headline as its end line shows it (``missing`` when it has no held-out gain)."""
    if metrics.get("heldout/gain") is None:
        return missing
    return (
        f"heldout/gain {metrics['heldout/gain']:+.3f} [{metrics['heldout/gain_lo']:+.3f}, "
        f"{metrics['heldout/gain_hi']:+.3f}], heldout/rate {metrics['heldout/rate']:.3f}"
    )


def clock() -> str:
    return time.strftime("%H:%M:%S")


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


@dataclass
class _Trial:
    name: str
    t0: float = field(default_factory=time.time)
    notes_offset: int = 0


class LiveView:
    """Running trials' stages and, for a sweep (``total`` given), trials done / running / failed and an ETA.

    Trials are added and removed by whoever runs them (Tune's callback, `run`); a thread polls their progress
    files (``trainer.progress``) and redraws, or prints the status line every ``plain_every_s`` seconds."""

    def __init__(
        self,
        console: Console,
        folder: Path,
        total: int | None = None,
        slots: int = 1,
        done: int = 0,
        plain_every_s: float = 60.0,
        poll_s: float = 0.5,
    ):
        self.console, self.folder, self.total, self.slots = console, Path(folder), total, max(1, slots)
        self.done, self.failed = done, 0
        self.plain_every_s, self.poll_s = plain_every_s, poll_s
        self.running: dict[str, _Trial] = {}
        self.durations: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._live = None
        self._last_plain = time.time()

    # -- events ------------------------------------------------------------------------------------------
    def started(self, name: str) -> None:
        with self._lock:
            self.running[name] = _Trial(name)
            n = len(self.running)
        self.console.line(
            f"[{clock()}] started   {name}"
            + (f"  ({n} running, {self.done}/{self.total} done)" if self.total is not None else "")
        )

    def finished(self, name: str, text: str, ok: bool = True) -> None:
        with self._lock:
            t = self.running.pop(name, None)
            self._drain_notes(t)
            elapsed = time.time() - t.t0 if t else 0.0
            self.done += 1
            if ok:
                self.durations.append(elapsed)
            else:
                self.failed += 1
        counts = f"  ({self.done}/{self.total} done)" if self.total is not None else ""
        head = f"finished  {name}  " if ok else f"FAILED    {name}: "
        self.console.line(f"[{clock()}] {head}{text}; {duration(elapsed)}{counts}")

    # -- the view ----------------------------------------------------------------------------------------
    def eta_s(self) -> float | None:
        """Seconds until the sweep ends. A running trial's rest is extrapolated from its progress
        (``progress.fraction``) once it is a tenth done, else from the mean duration of finished trials;
        queued trials take that mean (or the running ones' projected length), each in the slot that frees first."""
        if self.total is None:
            return None
        now = time.time()
        rests, lengths = [], []
        for t in self.running.values():
            elapsed, share = now - t.t0, progress.fraction(progress.read(self.folder, t.name))
            if share >= 0.1:
                lengths.append(elapsed / share)
                rests.append(elapsed / share - elapsed)
            elif self.durations:
                rests.append(max(0.0, sum(self.durations) / len(self.durations) - elapsed))
        mean = (
            sum(self.durations) / len(self.durations)
            if self.durations
            else sum(lengths) / len(lengths)
            if lengths
            else None
        )
        queued = max(0, self.total - self.done - len(self.running))
        if mean is None or len(rests) < len(self.running):
            return None
        slots = sorted(rests + [0.0] * max(0, self.slots - len(rests)))  # when each slot is free again
        for _ in range(queued):  # each queued trial takes the slot that frees first
            slots[0] += mean
            slots.sort()
        return max(slots, default=0.0)

    def status_line(self) -> str:
        eta = self.eta_s()
        return (
            f"sweep: {self.done}/{self.total} done, {len(self.running)} running, {self.failed} failed, "
            f"ETA {duration(eta) if eta is not None else '(estimating)'}"
        )

    def trial_line(self, t: _Trial) -> str:
        return f"{t.name}: {progress.describe(progress.read(self.folder, t.name))} ({duration(time.time() - t.t0)})"

    def _drain_notes(self, t: _Trial | None) -> None:
        if t is None:
            return
        lines, t.notes_offset = progress.read_notes(self.folder, t.name, t.notes_offset)
        for line in lines:
            self.console.line(f"[{clock()}] {t.name}: {line}")

    def _renderable(self):
        from rich.console import Group
        from rich.text import Text

        with self._lock:
            rows = [Text("  " + self.trial_line(t), no_wrap=True, overflow="ellipsis") for t in self.running.values()]
            if self.total is not None:
                rows.append(Text(self.status_line(), style="bold", no_wrap=True, overflow="ellipsis"))
        return Group(*rows)

    def _tick(self) -> None:
        with self._lock:
            for t in list(self.running.values()):
                self._drain_notes(t)
        if self._live is not None:
            self._live.update(self._renderable())
        elif time.time() - self._last_plain >= self.plain_every_s:
            self._last_plain = time.time()
            with self._lock:
                parts = [self.trial_line(t) for t in self.running.values()]
                head = self.status_line() if self.total is not None else ""
            if parts or head:
                self.console.line(f"[{clock()}] " + "; ".join(([head] if head else []) + parts))

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self._tick()
            except Exception:  # the view must never take the run down
                pass

    def __enter__(self) -> "LiveView":
        if self.console.tty:
            from rich.console import Console as RichConsole
            from rich.live import Live

            self._live = Live(
                self._renderable(),
                console=RichConsole(file=self.console.stream, force_terminal=True),
                refresh_per_second=4,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
            self.console._live = self._live
        self._thread = threading.Thread(target=self._loop, name="biasgen-live-view", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            for t in list(self.running.values()):
                self._drain_notes(t)
        if self._live is not None:
            self.console._live = None
            self._live.stop()
            self._live = None
