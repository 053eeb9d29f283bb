"""The one CLI: help on every subcommand, the catalogue commands, and honest stubs."""

import json

import pytest

SUBCOMMANDS = ["run", "sweep", "submit", "analyze", "score", "data", "ui"]


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_help(cli, cmd):
    r = cli(cmd, "--help")
    assert r.returncode == 0 and "usage: launch.py " + cmd in r.stdout


@pytest.mark.e2e
@pytest.mark.parametrize(
    "args, message",
    [
        (("submit",), "the following arguments are required: scheduler"),
        (("submit", "pbs"), "invalid choice: 'pbs'"),
        (
            ("analyze", "--experiment", "no-such-sweep", "--tracking-uri", "sqlite:///{tmp}/m.db"),
            "no experiment named 'no-such-sweep'",
        ),
        (("analyze", "--tracking-uri", "sqlite:///{tmp}/none.db"), "no MLflow store at sqlite:///"),
    ],
)
def test_submit_and_analyze_refuse_bad_input_in_one_line(cli, tmp_path, args, message):
    (tmp_path / "m.db").touch()  # an empty store (MLflow creates its tables)
    r = cli(*[a.format(tmp=tmp_path) for a in args], cwd=tmp_path)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_data_list_json(cli):
    r = cli("data", "list", "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == 52 and sum(row["split"] == "test" for row in rows) == 5
    assert rows[50]["id"] == "law_call_911" and rows[50]["index"] == 51


def test_data_show(cli):
    r = cli("data", "show", "law_call_911", "-n", "4")
    assert r.returncode == 0
    assert "--- chat example (biased) ---" in r.stdout and r.stdout.count("\n- ") >= 4
    bad = cli("data", "show", "no_such_bias")
    assert bad.returncode == 2 and "unknown bias id 'no_such_bias'" in bad.stderr


def test_data_check_reports_every_bias(cli):
    r = cli("data", "check", "-n", "20")
    assert r.returncode == 0, r.stderr
    assert sum(line.split()[0] in {"law_call_911", "python_camelcase"} for line in r.stdout.splitlines()) == 2
    assert "52 biases x 20 eval prompts" in r.stdout


def test_data_commands_take_a_synthetic_universe(cli):
    from trainer.biases import universe

    biases = universe("synthetic:7@3")
    r = cli("data", "list", "--json", "data.biases=synthetic:7@3")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["id"], x["context"]) for x in rows] == [(b.id, b.context) for b in biases.values()]
    syn = biases["syn_004"]
    r = cli("data", "show", "syn_004", "-n", "3", "data.biases=synthetic:7@3")
    assert r.returncode == 0, r.stderr
    assert f"Statement: {syn.statement}" in r.stdout and r.stdout.count("\n- ") >= 3
    r = cli("data", "check", "-n", "10", "data.biases=synthetic:7@3")
    assert r.returncode == 0, r.stderr
    assert "7 biases x 10 eval prompts" in r.stdout and "syn_006" in r.stdout


def test_stray_arguments_are_rejected(cli):
    r = cli("ui", "extra")
    assert r.returncode == 2 and "unrecognized arguments: extra" in r.stderr
    r = cli("data", "list", "extra")  # data list takes key=value overrides (data.biases=synthetic:N)
    assert r.returncode == 2 and r.stderr == "error: override 'extra': expected key=value\n"


def test_sweep_rejects_bad_points_before_starting(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ngrid:\n  data.mix: [0.5, 1.5]\n")
    r = cli("sweep", str(bad), cwd=tmp_path)
    assert r.returncode == 2
    assert "error: sweep 'bad' point (data.mix=1.5): data.mix: expected a value in [0, 1], got 1.5" in r.stderr
    assert not (tmp_path / "mlflow.db").exists()  # nothing was started or recorded
    r = cli("sweep", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert r.returncode == 2 and "not found" in r.stderr


def test_every_user_facing_error_is_a_user_error():
    """launch.py catches UserError once (one line, exit 2); each library error type written for the user is one,
    and keeps the built-in base that callers catch it by."""
    from cluster.sbatch import SubmitError
    from sweeps.analysis import AnalysisError
    from sweeps.lock import SweepBusy
    from trainer.biases import UniverseError
    from trainer.config import ConfigError
    from trainer.corpus.errors import DataError
    from trainer.engine import TrialFailure
    from trainer.errors import UserError
    from trainer.judge import JudgeError
    from trainer.model import ModelError
    from trainer.ray_session import ResourceError
    from trainer.score import ScoreInputError
    from trainer.trial.driver import TrialError

    for cls, base in [
        (ConfigError, ValueError),
        (DataError, ValueError),
        (ModelError, ValueError),
        (ScoreInputError, ValueError),
        (UniverseError, ValueError),
        (ResourceError, ValueError),
        (TrialError, RuntimeError),
        (TrialFailure, RuntimeError),
        (JudgeError, RuntimeError),
        (SweepBusy, RuntimeError),
        (SubmitError, RuntimeError),
        (AnalysisError, Exception),
    ]:
        assert issubclass(cls, UserError) and issubclass(cls, base), cls


def test_a_submit_error_is_one_line(cli, tmp_path):
    """sbatch missing: SubmitError reaches launch.py's one UserError handler (no wrapper converts it)."""
    r = cli("submit", "slurm", "partition=gpu", cwd=tmp_path, env={"PATH": "/usr/bin/nonexistent"})
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.splitlines()) == 1, r.stderr
    assert "sbatch not found" in r.stderr
