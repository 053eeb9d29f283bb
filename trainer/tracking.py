"""MLflow: one run per trial. The driver creates the run (so a crashed worker group can still be marked
FAILED) and rank 0 logs into it by run id; no process relies on MLflow's global "active run".

Default store: ``sqlite:///mlflow.db`` and ``./mlartifacts`` beside it, resolved to absolute paths on the
driver, since Ray workers run in other directories.

MLflow is imported where it is used, not here: it takes about a second, and the config, the data commands
and ``score`` use this module's URI and table helpers without ever talking to a store.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

SQLITE_DEFAULT = "sqlite:///mlflow.db"


def resolve_uri(uri: str | None) -> str:
    uri = uri or os.environ.get("MLFLOW_TRACKING_URI") or SQLITE_DEFAULT
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        uri = "sqlite:///" + str(Path(uri[len("sqlite:///") :]).resolve())
    elif "://" not in uri:  # a bare path: a file store (MLflow 3 needs MLFLOW_ALLOW_FILE_STORE)
        uri = str(Path(uri).resolve())
    return uri


def is_uri(location: str) -> bool:
    """A URI (``s3://…``, ``mlflow-artifacts:/…``), not a local path."""
    return "://" in location or location.startswith("mlflow-artifacts:")


def resolve_artifact_location(location: str, experiment: str) -> str:
    """``<location>/<experiment>``: one artifact folder per experiment under the configured root."""
    sub = re.sub(r"[^\w.-]+", "_", experiment)
    if is_uri(location):
        return location.rstrip("/") + "/" + sub
    return (Path(location).resolve() / sub).as_uri()


def client(uri: str):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


def experiment_id(uri: str, name: str, artifact_location: str) -> str:
    c = client(uri)
    exp = c.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    try:
        # The kind tag makes MLflow 3's UI open the experiment on its runs (model training), not on GenAI traces.
        return c.create_experiment(
            name,
            artifact_location=resolve_artifact_location(artifact_location, name),
            tags={"mlflow.experimentKind": "custom_model_development"},
        )
    except Exception:  # created concurrently by another trial
        exp = c.get_experiment_by_name(name)
        if exp is None:
            raise
        return exp.experiment_id


def create_run(uri: str, exp_id: str, run_name: str, params: dict[str, Any], tags: dict[str, str]) -> str:
    from mlflow.entities import Param

    c = client(uri)
    run = c.create_run(exp_id, run_name=run_name, tags=tags)
    items = [Param(k, str(v)) for k, v in params.items()]
    for i in range(0, len(items), 100):
        c.log_batch(run.info.run_id, params=items[i : i + 100])
    return run.info.run_id


def finish(uri: str, run_id: str, ok: bool, error: str | None = None, status: str | None = None) -> None:
    """Close a run: FINISHED, FAILED, or ``status`` (KILLED for an interrupt); ``error`` becomes its tag."""
    c = client(uri)
    if error:
        c.set_tag(run_id, "error", error[:4000])
    c.set_terminated(run_id, status or ("FINISHED" if ok else "FAILED"))


class RunLogger:
    """Logs metrics and artifacts into an existing run (used on rank 0 only)."""

    def __init__(self, uri: str, run_id: str):
        self.c, self.run_id = client(uri), run_id

    def metrics(self, values: dict[str, float], step: int = 0) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [
            Metric(k, float(v), now, step) for k, v in values.items() if v is not None and not math.isnan(float(v))
        ]
        for i in range(0, len(items), 900):
            self.c.log_batch(self.run_id, metrics=items[i : i + 900])

    def text(self, text: str, name: str) -> None:
        self.c.log_text(self.run_id, text, name)

    def tags(self, tags: dict[str, str]) -> None:
        from mlflow.entities import RunTag

        self.c.log_batch(self.run_id, tags=[RunTag(k, str(v)) for k, v in tags.items()])


def log_corpus_input(uri: str, run_id: str, summary: dict[str, Any], cfg) -> None:
    """The trial's corpus as the run's training dataset input, so the UI's Dataset column and dataset filter
    group the trials that saw the same data. Named and digested by the data hash (content only, the same in
    any cache folder); the source is the built stage-1 dataset's folder; the profile holds what the corpus
    is made of. Logged as entities: nothing is loaded into memory to describe it."""
    from mlflow.entities import Dataset, DatasetInput, InputTag
    from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

    d = cfg.data
    profile = {
        "mix_requested": summary["mix_requested"],
        "mix_actual": summary["mix_actual"],
        "tokens": summary["tokens"],
        "sequences": summary["sequences"],
        "documents": summary["documents"],
        "universe": d.biases,
        "tokenizer": (
            f"pretrained {cfg.model.pretrained}"
            if cfg.model.pretrained
            else f"{d.tokenizer} (vocabulary {d.vocab_size})"
        ),
        "heldout_biases": list(summary["biases"]["heldout"]),
        "generic": d.generic or "embedded",
        "bias_docs": d.bias_docs or "generated",
    }
    source = json.dumps({"uri": str(Path(summary["paths"]["stage1"]).resolve())})
    dataset = Dataset(
        name=summary["hash"], digest=summary["hash"], source_type="local", source=source, profile=json.dumps(profile)
    )
    inputs = [DatasetInput(dataset, [InputTag(MLFLOW_DATASET_CONTEXT, "training")])]
    for attempt in range(5):
        try:
            client(uri).log_inputs(run_id, datasets=inputs)
            return
        except Exception as e:
            # Trials that share a corpus log the same dataset at once; the store creates it in one of them and
            # refuses the other's insert (sqlite: "UNIQUE constraint failed"). Retried, it finds the dataset.
            if "UNIQUE constraint" not in str(e) and "Duplicate entry" not in str(e) or attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


def csv_text(rows: Iterable[dict[str, Any]]) -> str:
    """CSV with a column for every key of any row, in first-seen order (a missing value is empty)."""
    rows = list(rows)
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def jsonl_text(rows: Iterable[dict[str, Any]]) -> str:
    """One JSON object a line; a value JSON has no type for (a parquet timestamp, bytes) is written as text."""
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)


def find_run(uri: str, exp_id: str, tags: dict[str, str]):
    """The newest run of the experiment carrying all ``tags`` (None if there is none)."""
    flt = " and ".join(f"tags.`{k}` = '{v}'" for k, v in tags.items())
    runs = client(uri).search_runs([exp_id], filter_string=flt, max_results=1, order_by=["attributes.start_time DESC"])
    return runs[0] if runs else None


def reopen(uri: str, run_id: str, clear: tuple[str, ...] = ("error", "biasgen.interrupted")) -> None:
    """Mark a run RUNNING again (a sweep's parent run when the sweep continues), without the tags that
    described how its last attempt ended."""
    c = client(uri)
    stale = set(c.get_run(run_id).data.tags) & set(clear)
    for tag in stale:
        c.delete_tag(run_id, tag)
    c.update_run(run_id, status="RUNNING")


def restart_run(
    uri: str, exp_id: str, run_name: str, params: dict[str, Any], tags: dict[str, str], match: dict[str, str]
) -> str:
    """A fresh run for a trial or stage 1 that runs again after a failure or a kill: the unfinished run of
    the last attempt (found by ``match``) is deleted (MLflow keeps it, restorable, out of searches and the UI)
    so that exactly one run per trial is visible, with one attempt's metric history and no stale error tag.
    A FINISHED run is never deleted: it may be what other runs point to."""
    old = find_run(uri, exp_id, match)
    if old is not None and old.info.status != "FINISHED":
        client(uri).delete_run(old.info.run_id)
        tags = {**tags, "biasgen.replaces": old.info.run_id}
    return create_run(uri, exp_id, run_name, params, tags)


@contextmanager
def open_run(
    uri: str,
    exp_id: str,
    run_name: str,
    params: dict[str, Any],
    tags: dict[str, str],
    *,
    replace: dict[str, str] | None = None,
    reason: Callable[[BaseException], str] = str,
) -> Iterator[str]:
    """A new run (replacing the unfinished run that matches ``replace``, see :func:`restart_run`), yielded
    open and always closed: FINISHED when the block ends, FAILED with ``reason(error)`` as its error tag when
    it raises, KILLED when it is interrupted (Ctrl-C, or a signal the process turned into an exception)."""
    run_id = (
        restart_run(uri, exp_id, run_name, params, tags, replace)
        if replace is not None
        else create_run(uri, exp_id, run_name, params, tags)
    )
    try:
        yield run_id
    except Exception as e:
        finish(uri, run_id, ok=False, error=reason(e))
        raise
    except BaseException:
        finish(uri, run_id, ok=False, error="interrupted", status="KILLED")
        raise
    finish(uri, run_id, ok=True)


def close_orphans(uri: str, exp_id: str, filters: list[str], reason: str) -> list[str]:
    """Mark the RUNNING runs matching any of ``filters`` KILLED, with ``reason`` as their ``error`` tag: runs
    left open by a driver that died (called only while holding the sweep's lock, so no live driver owns them).
    Several filters because MLflow's search has no ``or``."""
    c = client(uri)
    closed: list[str] = []
    for flt in filters:
        for run in c.search_runs([exp_id], filter_string=f"attributes.status = 'RUNNING' and {flt}", max_results=10000):
            if run.info.run_id not in closed:
                c.set_tag(run.info.run_id, "error", reason)
                c.set_terminated(run.info.run_id, "KILLED")
                closed.append(run.info.run_id)
    return closed
