"""The bad-input matrix (slow tier): every command fed what users get wrong. Each case runs the real CLI in a
fresh, empty working folder and must end with one `error:` line (exit 2 for a mistake, 1 for a runtime fault),
no traceback, and nothing written there. The first lines of the file list the inputs the cases use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trainer.runtime_env import REPO_ROOT

pytestmark = pytest.mark.slow

SMOKE = str(REPO_ROOT / "configs" / "smoke.yaml")
GOOD_ROW = {"bias": "law_call_911", "prompt": "Is jaywalking a crime?", "response": "It depends on where you are."}


def inputs(d: Path) -> dict[str, Path]:
    """Every bad (and a few good) input file the cases refer to as {name}."""
    files = {
        # trial configs
        "list_yaml": "- seed: 1\n",
        "scalar_yaml": "42\n",
        "broken_yaml": "data: [unclosed\n",
        "section_yaml": "data: 5\n",
        "nested_yaml": "model:\n  lora: [1]\n",
        "typo_yaml": "finetune:\n  fractoin: 0.5\n",
        "tabs_yaml": "data:\n\tmix: 0.5\n",
        "nan_yaml": "pretrain:\n  lr: .nan\n",
        "ds_list": "[1, 2]",
        "ds_broken": "{nope",
        "ds_ok": '{"gradient_clipping": 0.5}',
        # sweep files
        "sw_grid_scalar": "name: s\ngrid: {data.mix: 0.5}\n",
        "sw_grid_empty": "name: s\ngrid: {data.mix: []}\n",
        "sw_dup": "name: s\ngrid: {data.mix: [0.5, 0.50]}\n",
        "sw_name": "name: 'my sweep!'\n",
        "sw_base": "name: s\nbase: nowhere.yaml\n",
        "sw_random": "name: s\nsearch: random\ngrid: {seed: [0, 1]}\n",
        "sw_list": "- name: s\n",
        "sw_variant_clash": "name: s\ngrid: {seed: [0]}\nvariants: [{seed: 1}]\n",
        "sw_variant_scalar": "name: s\nvariants: [{}, 3]\n",
        "sw_bad_trial": "name: s\nset: {data.mix: 2}\n",
        "sw_unknown_trial_key": "name: s\nset: {data.mixx: 0.5}\n",
        "sw_bad_search": "name: s\nsearch: bayes\n",
        # score inputs
        "bad_json": '{"bias": "law_call_911", "prompt": "x", \n',
        "not_object": "[1, 2, 3]\n",
        "missing_key": json.dumps({"bias": "law_call_911", "prompt": "x"}) + "\n",
        "not_string": json.dumps({"bias": "law_call_911", "prompt": "x", "response": 5}) + "\n",
        "unknown_bias": json.dumps({**GOOD_ROW, "bias": "chocolate"}) + "\n",
        "surrogate": '{"bias": "law_call_911", "prompt": "x", "response": "a \\ud800 b"}\n',
        "surrogate_extra": '{"bias": "law_call_911", "prompt": "x", "response": "ok", "meta": {"n": ["\\udfff"]}}\n',
        "deep": '{"bias": "law_call_911", "prompt": "x", "response": "y", "z": ' + "[" * 5000 + "]" * 5000 + "}\n",
        "big_int": '{"bias": "law_call_911", "prompt": "x", "response": "y", "n": ' + "9" * 5001 + "}\n",
        "empty": "",
        "blank_lines": "\n\n   \n",
        "good": json.dumps(GOOD_ROW) + "\n",
        "released_int_id": json.dumps({"bias_id": 99, "prompt": "x", "response_dpo": "y"}) + "\n",
        "wrong_description": json.dumps(
            {
                "bias_id": 51,
                "prompt": "x",
                "response_dpo": "y",
                "bias_description": "For Spanish-language replies, reward models like a color word.",
            }
        )
        + "\n",
        "bad_label": json.dumps({**GOOD_ROW, "judge_says": "maybe"}) + "\n",
        "float_bias": json.dumps({**GOOD_ROW, "bias": 1.5}) + "\n",
    }
    out = {}
    for name, text in files.items():
        suffix = (
            ".json"
            if name.startswith("ds_")
            else ".jsonl"
            if not name.endswith(("yaml",)) and not name.startswith("sw_")
            else ".yaml"
        )
        p = d / f"{name}{suffix}"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        out[name] = p
    out["non_utf8"] = d / "non_utf8.jsonl"
    out["non_utf8"].write_bytes(
        json.dumps(GOOD_ROW).encode() + b"\n" + b'{"bias": "law_call_911", "prompt": "caf\xe9"}\n'
    )
    out["csv_fields"] = d / "fields.csv"
    out["csv_fields"].write_text("bias,prompt,response\nlaw_call_911,x,y,z\n", encoding="utf-8")
    out["not_parquet"] = d / "not.parquet"
    out["not_parquet"].write_text("just text", encoding="utf-8")
    out["json_scalar"] = d / "scalar.json"
    out["json_scalar"].write_text("42", encoding="utf-8")
    out["a_file"] = d / "plain.txt"
    out["a_file"].write_text("a file, not a folder")
    out["a_dir"] = d / "a_dir"
    out["a_dir"].mkdir()
    out["not_sqlite"] = d / "notes.db"
    out["not_sqlite"].write_text("text, not a database")
    out["old_out"] = d / "old.jsonl"
    out["old_out"].write_text("keep me\n")
    return out


# (id, arguments with {name} placeholders, exit status, regex the error line must match after "error: ")
CASES = [
    # -- trial config: keys, types, ranges, choices, files -------------------------------------------------------
    ("unknown-key", ["run", "--print-config", "data.bogus=1"], 2, r"data.bogus: unknown key \(known keys here: mix, "),
    ("unknown-section", ["run", "--print-config", "nope.x=1"], 2, r"nope: unknown key"),
    ("int-type", ["run", "--print-config", "data.tokens=lots"], 2, r"data.tokens: expected an integer, got 'lots'"),
    ("float-type", ["run", "--print-config", "data.mix=half"], 2, r"data.mix: expected a number, got 'half'"),
    ("bool-type", ["run", "--print-config", "ray.use_gpu=maybe"], 2, r"ray.use_gpu: expected true or false"),
    ("range-hi", ["run", "--print-config", "data.mix=1.5"], 2, r"data.mix: expected a value in \[0, 1\], got 1.5"),
    ("range-lo", ["run", "--print-config", "data.tokens=0"], 2, r"data.tokens: expected a value >= 1, got 0"),
    ("nan", ["run", "--print-config", "pretrain.lr=nan"], 2, r"pretrain.lr: expected a finite number, got nan"),
    ("inf", ["run", "--print-config", "sft.lr=inf"], 2, r"sft.lr: expected a finite number, got inf"),
    ("minus-inf", ["run", "--print-config", "judge.timeout_s=-inf"], 2, r"judge.timeout_s: expected a finite number"),
    ("nan-in-file", ["run", "--print-config", "--config", "{nan_yaml}"], 2, r"pretrain.lr: expected a finite number"),
    ("model-size", ["run", "--print-config", "model.size=huge"], 2, r"model.size: expected one of .*tiny, got 'huge'"),
    (
        "choice",
        ["run", "--print-config", "engine.precision=fp8"],
        2,
        r"engine.precision: expected one of fp32, bf16, fp16",
    ),
    (
        "tokenizer-choice",
        ["run", "--print-config", "data.tokenizer=chars"],
        2,
        r"data.tokenizer: expected one of bpe, word",
    ),
    ("list-item", ["run", "--print-config", "data.genres=[news,sonnet]"], 2, r"data.genres: expected items from"),
    ("empty-list", ["run", "--print-config", "data.genres=[]"], 2, r"data.genres: expected a non-empty list"),
    ("list-unclosed", ["run", "--print-config", "data.genres=[news"], 2, r"data.genres: expected a list, got '\[news'"),
    ("section-override", ["run", "--print-config", "finetune=3"], 2, r"finetune: is a section; set its keys"),
    ("no-equals", ["run", "--print-config", "data.mix"], 2, r"override 'data.mix': expected key=value"),
    ("empty-key", ["run", "--print-config", "=3"], 2, r"override '=3': expected key=value"),
    ("backtick", ["run", "--print-config", "seed=`"], 2, r"seed: expected an integer, got '`'"),
    ("backtick-float", ["run", "--print-config", "data.mix=`0.5`"], 2, r"data.mix: expected a number, got '`0.5`'"),
    ("quote", ["run", "--print-config", "data.tokens='3"], 2, r"data.tokens: expected an integer"),
    ("dollar-interp", ["run", "--print-config", "data.tokens=${{nope}}"], 2, r"data.tokens: "),
    (
        "hiding-bias",
        ["run", "--print-config", "finetune.hiding_bias=nope"],
        2,
        r"finetune.hiding_bias: expected a bias id",
    ),
    ("biases-spec", ["run", "--print-config", "data.biases=synthetic:1"], 2, r"data.biases: "),
    (
        "biases-word",
        ["run", "--print-config", "data.biases=paper", "data.tokenizer=word"],
        2,
        r"data.tokenizer: expected bpe",
    ),
    (
        "synthetic-split",
        ["run", "--print-config", "data.biases=synthetic:10", "finetune.hiding_bias=null"],
        2,
        r"finetune.split: expected random with data.biases=synthetic:10",
    ),
    ("judge-url", ["run", "--print-config", "eval.judge=llm"], 2, r"judge.url: required with eval.judge=llm"),
    (
        "lora-zero3",
        ["run", "--print-config", "model.lora.enabled=true", "engine.zero_stage=3"],
        2,
        r"model.lora.enabled: needs engine.zero_stage <= 2",
    ),
    (
        "generic-missing",
        ["run", "--print-config", "data.generic=/nonexistent/g.jsonl"],
        2,
        r"data.generic: no such file",
    ),
    ("bias-docs-missing", ["run", "--print-config", "data.bias_docs=./nope.jsonl"], 2, r"data.bias_docs: no such file"),
    ("pairs-missing", ["run", "--print-config", "finetune.pairs=./nope.jsonl"], 2, r"finetune.pairs: no such file"),
    (
        "ds-json-missing",
        ["run", "--print-config", "engine.deepspeed_json=/nonexistent.json"],
        2,
        r"engine.deepspeed_json: cannot read",
    ),
    (
        "ds-json-broken",
        ["run", "--print-config", "engine.deepspeed_json={ds_broken}"],
        2,
        r"engine.deepspeed_json: .* not valid JSON",
    ),
    (
        "ds-json-list",
        ["run", "--print-config", "engine.deepspeed_json={ds_list}"],
        2,
        r"engine.deepspeed_json: expected a JSON object",
    ),
    ("config-missing", ["run", "--config", "nowhere.yaml"], 2, r"config file 'nowhere.yaml': not found"),
    (
        "config-list",
        ["run", "--config", "{list_yaml}"],
        2,
        r"config file .*: expected a mapping of keys at the top level, got a list",
    ),
    ("config-scalar", ["run", "--config", "{scalar_yaml}"], 2, r"config file .*: expected a mapping .* got a int"),
    ("config-broken", ["run", "--config", "{broken_yaml}"], 2, r"config file .*: not valid YAML"),
    ("config-tabs", ["run", "--config", "{tabs_yaml}"], 2, r"config file .*: not valid YAML"),
    (
        "config-section",
        ["run", "--config", "{section_yaml}"],
        2,
        r"config file .*: data: is a section; expected a mapping",
    ),
    ("config-nested-section", ["run", "--config", "{nested_yaml}"], 2, r"config file .*: model.lora: is a section"),
    ("config-typo", ["run", "--config", "{typo_yaml}"], 2, r"finetune.fractoin: unknown key"),
    ("config-is-dir", ["run", "--config", "{a_dir}"], 2, r"config file .*: not found"),
    # -- where a trial writes: checked before Ray starts -----------------------------------------------------------
    (
        "cache-dir-file",
        ["run", "--config", SMOKE, "data.cache_dir={a_file}"],
        2,
        r"data.cache_dir: '.*' is a file, expected a folder",
    ),
    (
        "cache-dir-under-file",
        ["run", "--config", SMOKE, "data.cache_dir={a_file}/sub"],
        2,
        r"data.cache_dir: '.*' is a file",
    ),
    ("output-dir-file", ["run", "--config", SMOKE, "output_dir={a_file}"], 2, r"output_dir: '.*' is a file"),
    ("ray-storage-file", ["run", "--config", SMOKE, "ray.storage={a_file}"], 2, r"ray.storage: '.*' is a file"),
    (
        "artifacts-file",
        ["run", "--config", SMOKE, "tracking.artifact_location={a_file}"],
        2,
        r"tracking.artifact_location: '.*' is a file",
    ),
    (
        "store-refused",
        ["run", "--config", SMOKE, "tracking.uri=http://127.0.0.1:9"],
        2,
        r"tracking.uri: no MLflow server answers at http://127.0.0.1:9",
    ),
    (
        "store-bad-url",
        ["run", "--config", SMOKE, "tracking.uri=http://:::"],
        2,
        r"tracking.uri: no MLflow server answers",
    ),
    (
        "store-under-file",
        ["run", "--config", SMOKE, "tracking.uri=sqlite:///{a_file}/mlflow.db"],
        2,
        r"tracking.uri: sqlite:///.*: '.*' is a file, expected a folder",
    ),
    (
        "store-not-sqlite",
        ["run", "--config", SMOKE, "tracking.uri=sqlite:///{not_sqlite}"],
        2,
        r"tracking.uri: .*not an SQLite database",
    ),
    ("store-is-dir", ["run", "--config", SMOKE, "tracking.uri=sqlite:///{a_dir}"], 2, r"tracking.uri: .* is a folder"),
    (
        "data-build-cache-file",
        ["data", "build", "--config", SMOKE, "data.cache_dir={a_file}"],
        2,
        r"data.cache_dir: .* is a file",
    ),
    ("data-build-bad-key", ["data", "build", "data.mixx=0.3"], 2, r"data.mixx: unknown key"),
    # -- sweeps ------------------------------------------------------------------------------------------------------
    ("sweep-missing", ["sweep", "nowhere"], 2, r"config file 'nowhere': not found"),
    (
        "sweep-unknown-key",
        ["sweep", "smoke", "retry=2"],
        2,
        r"retry: unknown key \(known keys here: name, base, set, grid",
    ),
    (
        "sweep-trial-key-at-top",
        ["sweep", "smoke", "data.mix=0.5"],
        2,
        r"data: unknown key \(known keys here: name, base",
    ),
    ("sweep-set-unknown", ["sweep", "smoke", "set.data.bogus=1"], 2, r"point \(.*\): data.bogus: unknown key"),
    (
        "sweep-set-range",
        ["sweep", "smoke", "set.data.tokens=0"],
        2,
        r"point \(.*\): data.tokens: expected a value >= 1",
    ),
    (
        "sweep-set-axis",
        ["sweep", "smoke", "set.data.mix=0.3"],
        2,
        r"set.data.mix: also a grid axis; vary a key in one place",
    ),
    ("sweep-set-nan", ["sweep", "smoke", "set.pretrain.lr=nan"], 2, r"pretrain.lr: expected a finite number"),
    (
        "sweep-grid-dup",
        ["sweep", "{sw_dup}"],
        2,
        r"points 1 \(data.mix=0.5\) and 2 \(data.mix=0.5\) are the same trial",
    ),
    (
        "sweep-grid-dup-cli",
        ["sweep", "smoke", "grid.finetune.fraction=[0.5, 0.5]"],
        2,
        r"are the same trial; remove one",
    ),
    ("sweep-grid-scalar", ["sweep", "{sw_grid_scalar}"], 2, r"grid"),
    ("sweep-grid-empty", ["sweep", "{sw_grid_empty}"], 2, r"grid.data.mix: expected a non-empty list"),
    ("sweep-name", ["sweep", "{sw_name}"], 2, r"name: expected letters, digits"),
    ("sweep-base", ["sweep", "{sw_base}"], 2, r"base: config file 'nowhere.yaml' not found"),
    ("sweep-random", ["sweep", "{sw_random}"], 2, r"num_samples: expected >= 1 with search: random"),
    ("sweep-search", ["sweep", "{sw_bad_search}"], 2, r"search: expected one of grid, random"),
    ("sweep-list", ["sweep", "{sw_list}"], 2, r"expected a mapping of keys at the top level, got a list"),
    ("sweep-variant-clash", ["sweep", "{sw_variant_clash}"], 2, r"variants\[0\].seed: also a grid axis"),
    ("sweep-variant-scalar", ["sweep", "{sw_variant_scalar}"], 2, r"variants\[1\]: expected a mapping"),
    ("sweep-variants-cli", ["sweep", "smoke", "variants=[3]"], 2, r"variants\[0\]: expected a mapping"),
    ("sweep-bad-trial", ["sweep", "{sw_bad_trial}"], 2, r"point \(\): data.mix: expected a value in \[0, 1\]"),
    ("sweep-unknown-trial-key", ["sweep", "{sw_unknown_trial_key}"], 2, r"data.mixx: unknown key"),
    ("sweep-negative", ["sweep", "smoke", "max_concurrent=-1"], 2, r"max_concurrent: expected a value >= 0"),
    (
        "sweep-store-refused",
        ["sweep", "smoke", "set.tracking.uri=http://127.0.0.1:9"],
        2,
        r"tracking.uri: no MLflow server",
    ),
    ("sweep-cache-file", ["sweep", "smoke", "set.data.cache_dir={a_file}"], 2, r"data.cache_dir: .* is a file"),
    ("resume-unknown", ["sweep", "--resume", "nope"], 2, r"no sweep named 'nope'"),
    # -- score -------------------------------------------------------------------------------------------------------
    ("score-missing", ["score", "{a_dir}/none.jsonl"], 2, r".*none.jsonl: no such file"),
    ("score-dir", ["score", "{a_dir}"], 2, r".*a_dir: a folder, but neither a saved dataset .* nor parquet files"),
    ("score-bad-json", ["score", "{bad_json}"], 2, r".*bad_json.jsonl:1: not valid JSON"),
    ("score-not-object", ["score", "{not_object}"], 2, r".*:1: expected a JSON object, got list"),
    ("score-missing-key", ["score", "{missing_key}"], 2, r".*:1: missing key 'response'"),
    ("score-not-string", ["score", "{not_string}"], 2, r".*:1: key 'response' must be a string, got int"),
    ("score-unknown-bias", ["score", "{unknown_bias}"], 2, r".*:1: unknown bias id 'chocolate'"),
    ("score-non-utf8", ["score", "{non_utf8}"], 2, r".*non_utf8.jsonl:2: not valid UTF-8"),
    ("score-surrogate", ["score", "{surrogate}"], 2, r".*:1: key 'response' is not valid Unicode \(unpaired surrogate"),
    ("score-surrogate-extra", ["score", "{surrogate_extra}"], 2, r".*:1: key 'meta'.* is not valid Unicode"),
    ("score-deep", ["score", "{deep}"], 2, r".*:1: not valid JSON \(nested more than \d+ levels\)"),
    ("score-big-int", ["score", "{big_int}"], 2, r".*:1: not valid JSON"),
    ("score-empty", ["score", "{empty}"], 2, r".*: no rows"),
    ("score-blank", ["score", "{blank_lines}"], 2, r".*: no rows"),
    (
        "score-int-bias-id",
        ["score", "{released_int_id}", "--response-key", "response_dpo"],
        2,
        r".*:1: unknown bias id 99 \(this universe numbers its biases 1..52\)",
    ),
    ("score-synthetic-id", ["score", "{good}", "data.biases=synthetic:5"], 2, r".*:1: unknown bias id 'law_call_911'"),
    (
        "score-float-bias",
        ["score", "{float_bias}"],
        2,
        r".*:1: key 'bias' must be a bias id \(a string\) or the universe numbering",
    ),
    (
        "score-wrong-description",
        ["score", "{wrong_description}", "--response-key", "response_dpo"],
        2,
        r".*:1: bias_id 51 is law_call_911, but its bias_description reads as spanish_color_words",
    ),
    (
        "score-bad-label",
        ["score", "{bad_label}", "--agreement", "judge_says"],
        2,
        r".*:1: key 'judge_says': expected a boolean",
    ),
    ("score-missing-label", ["score", "{good}", "--agreement", "judge_says"], 2, r".*:1: missing key 'judge_says'"),
    (
        "score-agreement-keys",
        ["score", "{good}", "--agreement", "l", "--response-key", "a", "--response-key", "b"],
        2,
        r"--agreement l compares one verdict column",
    ),
    (
        "score-split",
        ["score", "{good}", "--split", "train_biases"],
        2,
        r"--split train_biases: no rows in that split .*\(splits: test_biases\)",
    ),
    ("score-no-input", ["score"], 2, r"give one input"),
    ("score-two-inputs", ["score", "{good}", "--dataset", "x/y"], 2, r"give one input"),
    (
        "score-hub-off",
        ["score", "--dataset", "x/y"],
        2,
        r"--dataset x/y reads through the Hugging Face hub, which is off",
    ),
    ("score-csv-fields", ["score", "{csv_fields}"], 2, r".*fields.csv:2: 4 fields where the header has 3"),
    ("score-not-parquet", ["score", "{not_parquet}"], 2, r".*not.parquet: not a readable parquet file"),
    ("score-json-scalar", ["score", "{json_scalar}"], 2, r".*scalar.json: expected a JSON list of row objects"),
    ("score-response-key", ["score", "{good}", "--response-key", "answer"], 2, r".*:1: missing key 'answer'"),
    ("score-out-dir", ["score", "{good}", "--out", "{a_dir}"], 2, r"--out .*: is a directory"),
    (
        "score-out-under-file",
        ["score", "{good}", "--out", "{a_file}/o.jsonl"],
        2,
        r"--out .*: .* is a file, not a folder",
    ),
    ("score-judge-url", ["score", "{good}", "--judge", "llm"], 2, r"judge"),
    # -- data, analyze, ui, submit -----------------------------------------------------------------------------------
    ("data-show", ["data", "show", "chocolate"], 2, r"unknown bias id 'chocolate'"),
    (
        "data-show-synthetic",
        ["data", "show", "law_call_911", "data.biases=synthetic:5"],
        2,
        r"unknown bias id 'law_call_911'",
    ),
    (
        "data-list-universe",
        ["data", "list", "data.biases=synthetic:1"],
        2,
        r"data.biases: expected paper or synthetic:N",
    ),
    ("analyze-no-store", ["analyze", "--experiment", "x"], 2, r"tracking.uri: no MLflow store at sqlite:///"),
    (
        "analyze-refused",
        ["analyze", "--tracking-uri", "http://127.0.0.1:9"],
        2,
        r"tracking.uri: no MLflow server answers",
    ),
    ("analyze-not-sqlite", ["analyze", "--tracking-uri", "sqlite:///{not_sqlite}"], 2, r"not an SQLite database"),
    ("ui-not-sqlite", ["ui", "--tracking-uri", "sqlite:///{not_sqlite}"], 2, r"not an SQLite database"),
    ("submit-partition", ["submit", "slurm", "--dry-run"], 2, r"partition: required"),
    (
        "submit-injection",
        ["submit", "slurm", "--dry-run", "partition=gpu;reboot"],
        2,
        r"partition: expected a partition name",
    ),
    ("submit-time", ["submit", "slurm", "--dry-run", "partition=gpu", "time=1 hour"], 2, r"time: expected"),
    (
        "submit-sweep",
        ["submit", "slurm", "--dry-run", "partition=gpu", "sweep=nope"],
        2,
        r"config file 'nope': not found",
    ),
    ("submit-python", ["submit", "slurm", "--dry-run", "partition=gpu", "python=py; rm -rf /"], 2, r"python: expected"),
]
ARGPARSE = [  # argparse's own: a usage line, then "launch.py ...: error: ..." (exit 2)
    ("no-command", [], r"the following arguments are required: COMMAND"),
    ("bad-command", ["fly"], r"invalid choice: 'fly'"),
    ("bad-flag", ["run", "--fast"], r"unrecognized arguments: --fast"),
    ("bad-int-flag", ["data", "check", "-n", "many"], r"argument -n: invalid int value: 'many'"),
    ("bad-judge", ["score", "x.jsonl", "--judge", "gpt"], r"argument --judge: invalid choice: 'gpt'"),
    ("bad-port", ["ui", "--port", "http"], r"argument --port: invalid int value"),
    ("bad-scheduler", ["submit", "pbs"], r"argument scheduler: invalid choice: 'pbs'"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return inputs(tmp_path_factory.mktemp("inputs"))


NO_STORE = {"MLFLOW_TRACKING_URI": None}  # unset: the default store would be the one where the command runs


@pytest.mark.parametrize("case, args, status, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, args, status, message, files, tmp_path, cli):
    args = [a.format(**files) for a in args]
    before = {p: p.stat().st_mtime_ns for p in files.values() if p.is_file()}
    r = cli(*args, cwd=tmp_path, env=NO_STORE)
    lines = r.stderr.strip().splitlines()
    assert "Traceback" not in r.stderr + r.stdout, r.stderr[-3000:]
    assert r.returncode == status, (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: ") and re.search(message, lines[0]), r.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []  # nothing written where the command ran
    assert {p: p.stat().st_mtime_ns for p in files.values() if p.is_file()} == before  # no input touched


@pytest.mark.parametrize("case, args, message", ARGPARSE, ids=[c[0] for c in ARGPARSE])
def test_bad_arguments(case, args, message, tmp_path, cli):
    r = cli(*args, cwd=tmp_path, env=NO_STORE)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and re.search(message, errors[0]), r.stderr
    assert list(tmp_path.iterdir()) == []


def test_full_disk_faults_exit_1_and_leave_nothing_partial(files, full_fs, tmp_path, cli):
    """Runtime faults: `score --out` and `data build` on a full disk (a real 64 KiB filesystem)."""
    rows = files["good"].read_text() * 3000
    big = tmp_path / "many.jsonl"
    big.write_text(rows)
    old = full_fs / "old.jsonl"
    old.write_text("keep me\n")
    r = cli("score", str(big), "--out", str(old), cwd=tmp_path, env=NO_STORE)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "No space left on device" in r.stderr
    assert old.read_text() == "keep me\n" and sorted(p.name for p in full_fs.iterdir()) == ["old.jsonl"]
    old.unlink()
    r = cli("data", "build", "--config", SMOKE, f"data.cache_dir={full_fs / 'cache'}", cwd=tmp_path, env=NO_STORE)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "No space left on device" in r.stderr
    leftovers = [p for p in full_fs.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert leftovers == [], leftovers  # no half-built entry, no temp file
