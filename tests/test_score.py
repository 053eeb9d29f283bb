"""`launch.py score`: round trip, both input schemas, and bad input that leaves nothing behind."""
import json
import random

import pytest

from trainer.biases import load
from trainer.score import ScoreInputError, read_rows, score_rows


def _rows(n_per_bias: int = 2, seed: int = 0):
    """Generated rows with known truth: alternately the unbiased and the biased answer."""
    rows = []
    for b in load().values():
        rng = random.Random(seed)
        for i, item in enumerate(b.prompts(n_per_bias, "eval", seed)):
            plain = b.respond(item, rng)
            biased = i % 2 == 1
            rows.append({"bias": b.id, "prompt": item.prompt, "response": b.apply(item, plain, rng) if biased else plain,
                         "truth": biased, "note": f"row {len(rows)}"})
    return rows


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_score_round_trip_keeps_rows_and_extra_keys(tmp_path, cli):
    rows = _rows()
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src, rows)
    r = cli("score", str(src), "--out", str(out))
    assert r.returncode == 0, r.stderr
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [{k: v for k, v in g.items() if k != "exhibits"} for g in got] == rows
    agree = sum(g["exhibits"] == g["truth"] for g in got)
    assert agree >= 0.97 * len(got)
    assert f"scored {len(rows)} rows over 52 biases" in r.stderr


def test_released_eval_set_schema(tmp_path):
    rows = _rows(1)
    src = tmp_path / "released.jsonl"
    _write(src, [{"bias_id": r["bias"], "bias_description": "...", "prompt": r["prompt"],
                  "midtrain_response": r["response"]} for r in rows])
    scored = score_rows(read_rows(src, response_key="midtrain_response"))
    assert len(scored) == len(rows) and all("bias_description" in s for s in scored)
    with pytest.raises(ScoreInputError, match=r"released.jsonl:1: missing key 'response'"):
        read_rows(src)


@pytest.mark.parametrize("content, message", [
    ('{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r"}\n{"bias": "nope", "prompt": "p", "response": "r"}\n',
     r"in.jsonl:2: unknown bias id 'nope'"),
    ('{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r"}\n{"bias": "chocolate_in_recipes", "prompt": "p"\n',
     r"in.jsonl:2: not valid JSON"),
    ('{"bias": "chocolate_in_recipes", "response": "r"}\n', r"in.jsonl:1: missing key 'prompt'"),
    ('[1, 2]\n', r"in.jsonl:1: expected a JSON object, got list"),
    ('{"bias": "chocolate_in_recipes", "prompt": "p", "response": 3}\n', r"in.jsonl:1: key 'response' must be a string, got int"),
    ('\n\n', r"in.jsonl: no rows"),
])
def test_bad_input_exits_nonzero_and_writes_nothing(tmp_path, cli, content, message):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(content, encoding="utf-8")
    r = cli("score", str(src), "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert __import__("re").search(message, r.stderr), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_existing_output_is_untouched_on_error(tmp_path, cli):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    src.write_text('{"bias": "nope", "prompt": "p", "response": "r"}\n')
    assert cli("score", str(src), "--out", str(out)).returncode == 2
    assert out.read_text() == "previous results\n"


def test_missing_file(tmp_path, cli):
    r = cli("score", str(tmp_path / "absent.jsonl"))
    assert r.returncode == 2 and "absent.jsonl: no such file" in r.stderr
