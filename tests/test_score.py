"""`launch.py score`: round trip, both input schemas, and bad input or an unwritable --out that fails in one
line and leaves nothing behind."""

import json
import os
import random
import re

import pytest
from helpers import write_jsonl

from trainer.atomic import atomic_write
from trainer.biases import load
from trainer.score import MAX_DEPTH, ScoreInputError, check_out, read_rows, score_rows

OK = '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r"}\n'


def _rows(n_per_bias: int = 2, seed: int = 0):
    """Generated rows with known truth: alternately the unbiased and the biased answer."""
    rows = []
    for b in load().values():
        rng = random.Random(seed)
        for i, item in enumerate(b.prompts(n_per_bias, "eval", seed)):
            plain = b.respond(item, rng)
            biased = i % 2 == 1
            rows.append(
                {
                    "bias": b.id,
                    "prompt": item.prompt,
                    "response": b.apply(item, plain, rng) if biased else plain,
                    "truth": biased,
                    "note": f"row {len(rows)}",
                }
            )
    return rows


def test_score_round_trip_keeps_rows_and_extra_keys(tmp_path, cli):
    rows = _rows()
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(src, rows)
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
    write_jsonl(
        src,
        [
            {"bias_id": r["bias"], "bias_description": "...", "prompt": r["prompt"], "midtrain_response": r["response"]}
            for r in rows
        ],
    )
    scored = score_rows(read_rows(src, "midtrain_response"))
    assert len(scored) == len(rows) and all("bias_description" in s for s in scored)
    with pytest.raises(ScoreInputError, match=r"released.jsonl:1: missing key 'response'"):
        read_rows(src)


@pytest.mark.parametrize(
    "content, message",
    [
        (
            (
                '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r"}\n{"bias": "nope", "prompt": "p", '
                '"response": "r"}\n'
            ),
            r"in.jsonl:2: unknown bias id 'nope'",
        ),
        (
            (
                '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r"}\n{"bias": "chocolate_in_recipes", '
                '"prompt": "p"\n'
            ),
            r"in.jsonl:2: not valid JSON",
        ),
        ('{"bias": "chocolate_in_recipes", "response": "r"}\n', r"in.jsonl:1: missing key 'prompt'"),
        ("[1, 2]\n", r"in.jsonl:1: expected a JSON object, got list"),
        (
            '{"bias": "chocolate_in_recipes", "prompt": "p", "response": 3}\n',
            r"in.jsonl:1: key 'response' must be a string, got int",
        ),
        ("\n\n", r"in.jsonl: no rows"),
        # found by the fault campaign (#14): each was a traceback
        (
            OK.encode() * 2 + b'{"bias": "chocolate_in_recipes", "prompt": "caf\xe9", "response": "r"}\n',
            r"in.jsonl:3: not valid UTF-8 \(byte 0xe9 at column 48; JSONL must be UTF-8\)",
        ),
        (
            OK + '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r\\ud800"}\n',
            r"in.jsonl:2: key 'response' is not valid Unicode \(unpaired surrogate \\ud800\)",
        ),
        (
            OK + '{"a": ' + "[" * 5000 + "]" * 5000 + "}\n",
            rf"in.jsonl:2: not valid JSON \(nested more than {MAX_DEPTH} levels\)",
        ),
    ],
)
def test_bad_input_exits_nonzero_and_writes_nothing(tmp_path, cli, content, message):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    r = cli("score", str(src), "--out", str(out))
    _one_error_line(r, 2)
    assert re.search(message, r.stderr), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def _one_error_line(r, status: int) -> None:
    assert r.returncode == status, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.startswith("error: ") and len(r.stderr.splitlines()) == 1, r.stderr


def test_existing_output_is_untouched_on_error(tmp_path, cli):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    src.write_text('{"bias": "nope", "prompt": "p", "response": "r"}\n')
    assert cli("score", str(src), "--out", str(out)).returncode == 2
    assert out.read_text() == "previous results\n"


def test_missing_file(tmp_path, cli):
    r = cli("score", str(tmp_path / "absent.jsonl"))
    assert r.returncode == 2 and "absent.jsonl: no such file" in r.stderr


@pytest.mark.parametrize(
    "line, message",
    [
        (
            '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r", "meta": {"notes": ["a", "b\\udc00"]}}',
            r"key 'meta'\['notes'\]\[1\] is not valid Unicode \(unpaired surrogate \\udc00\)",
        ),  # extra keys are written back
        (
            '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r", "meta": {"x\\ud800": 1}}',
            r"key name 'x\\ud800' in key 'meta' is not valid Unicode",
        ),
        (
            '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r", "a": '
            + "[" * MAX_DEPTH
            + "]" * MAX_DEPTH
            + "}",
            rf"nested more than {MAX_DEPTH} levels",
        ),
        (
            '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r", "n": 1' + "0" * 5000 + "}",
            (
                r"not valid JSON \(Exceeds the limit \(4300 digits\) for integer string conversion: value has 5001 "
                r"digits\)$"
            ),
        ),
        (
            b'{"bias": "chocolate_in_recipes", "prompt": "\xc3\xa9\xc3\xa9 \xff", "response": "r"}',
            r"in.jsonl:1: not valid UTF-8 \(byte 0xff at column 48;",
        ),  # the column counts characters, not bytes
    ],
)
def test_bad_rows_named_in_one_line(tmp_path, line, message):
    src = tmp_path / "in.jsonl"
    src.write_bytes(line if isinstance(line, bytes) else line.encode("utf-8"))
    with pytest.raises(ScoreInputError, match=message):
        read_rows(src)


def test_valid_unicode_and_depth_limit_are_accepted(tmp_path):
    """A surrogate pair is one character, a byte-order mark is tolerated, and MAX_DEPTH itself is allowed."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b"\xef\xbb\xbf"
        + (
            '{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r \\ud83d\\ude00", "a": '
            + "[" * (MAX_DEPTH - 1)
            + "]" * (MAX_DEPTH - 1)
            + "}\n"
        ).encode()
    )
    [row] = read_rows(src)
    assert row.response == "r \U0001f600" and row.record["a"]


@pytest.mark.parametrize(
    "out, message",
    [
        ("outdir", r"--out .*outdir: is a directory"),
        ("afile/sub/out.jsonl", r"--out .*afile/sub/out.jsonl: .*afile is a file, not a folder"),
    ],
)
def test_out_that_is_no_file_is_refused(tmp_path, cli, out, message):
    src = tmp_path / "in.jsonl"
    src.write_text(OK)
    (tmp_path / "outdir").mkdir()
    (tmp_path / "afile").write_text("mine\n")
    r = cli("score", str(src), "--out", str(tmp_path / out))
    _one_error_line(r, 2)
    assert re.search(message, r.stderr), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "in.jsonl", "outdir"]
    assert not any((tmp_path / "outdir").iterdir()) and (tmp_path / "afile").read_text() == "mine\n"


def test_unwritable_out_is_refused(tmp_path, cli, readonly_fs):
    src = tmp_path / "in.jsonl"
    src.write_text(OK)
    r = cli("score", str(src), "--out", str(readonly_fs / "new" / "out.jsonl"))
    _one_error_line(r, 2)
    assert re.search(
        r"--out .*out.jsonl: cannot write in .*readonly_fs \((Read-only file system|Permission denied)\)", r.stderr
    ), r.stderr
    assert not any(readonly_fs.iterdir())


def test_out_is_checked_before_scoring(tmp_path, cli):
    """An LLM-judged run must not fail on --out at the end: with no judge server set, the --out error comes first."""
    src = tmp_path / "in.jsonl"
    src.write_text(OK)
    (tmp_path / "outdir").mkdir()
    r = cli("score", str(src), "--judge", "llm", "--out", str(tmp_path / "outdir"))
    _one_error_line(r, 2)
    assert "--out" in r.stderr and "judge.url" not in r.stderr


def test_full_disk_exits_1_and_leaves_the_old_output(tmp_path, cli, full_fs):
    src, out = tmp_path / "in.jsonl", full_fs / "out.jsonl"
    rows = [{"bias": "chocolate_in_recipes", "prompt": "p", "response": "r", "pad": "x" * 1000}] * 100  # ~100 KB
    write_jsonl(src, rows)
    out.write_text("previous results\n")
    r = cli("score", str(src), "--out", str(out))
    _one_error_line(r, 1)
    assert r.stderr.strip() == f"error: No space left on device: {out}"
    assert [p.name for p in full_fs.iterdir()] == ["out.jsonl"] and out.read_text() == "previous results\n"


def test_atomic_write_cleans_up_when_the_disk_fills_at_flush(full_fs):
    """Data smaller than the buffer reaches the disk only at flush/close: that failure also leaves nothing."""
    out = full_fs / "out.txt"
    out.write_text("old")
    with open(full_fs / "filler", "wb", buffering=0) as f, pytest.raises(OSError):
        while True:
            f.write(b"x" * 4096)
    fds = len(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError, match="No space left on device") as e:
        with atomic_write(out) as f:
            f.write("new")  # buffered: succeeds
    assert e.value.filename == str(out)
    assert sorted(p.name for p in full_fs.iterdir()) == ["filler", "out.txt"] and out.read_text() == "old"
    assert len(os.listdir("/proc/self/fd")) == fds


def test_out_that_is_not_a_regular_file_is_refused(tmp_path):
    """`--out` on a device or FIFO would replace it with a file (as root: /dev/null itself)."""
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ScoreInputError, match="not a regular file"):
        check_out(tmp_path / "fifo")
    assert (tmp_path / "fifo").is_fifo()


def test_atomic_write_keeps_mode_and_symlink(tmp_path):
    out, link = tmp_path / "out.txt", tmp_path / "link.txt"
    out.write_text("old")
    out.chmod(0o640)
    link.symlink_to(out.name)
    with atomic_write(link) as f:
        f.write("new")
    assert link.is_symlink() and out.read_text() == "new" and out.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "fresh.txt") as f:
            f.write("x")
    finally:
        os.umask(umask)
    assert (tmp_path / "fresh.txt").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "link.txt", "out.txt"]
