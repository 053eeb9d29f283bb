"""What verified caches cost: hashing an entry into its manifest when it is published and checking it on
every read, against the time it took to build and against a smoke trial measured in the same run.

1. a smoke trial (``launch.py run --config configs/smoke.yaml`` in a fresh directory): its wall time is the
   baseline, and its cache (four data parts and the stage-1 model) is what a later trial verifies on a hit;
2. a ``--tokens`` stage-1 corpus (``build_all``, default 5M tokens) and a ``model.size=5m`` model saved as a
   cache entry;
3. a ``--big-mib`` file (default 1024 MiB), above ``ALWAYS_FULL_BYTES``: a full check against the sampled one
   (the schedule of ``trainer/manifest.py``), and xxh3-128 against sha256 on the same bytes.

Every check is the median of ``--repeats`` runs with the files in the page cache (a cold read from disk is
not measured: dropping the page cache would disturb the other jobs on a shared machine).

    python bench/cache_verify.py [--tokens 5000000] [--big-mib 1024] [--repeats 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.runtime_env import apply_defaults  # noqa: E402

apply_defaults()

import xxhash  # noqa: E402

from trainer import manifest  # noqa: E402
from trainer.config import load_config  # noqa: E402
from trainer.corpus.build import build_all  # noqa: E402
from trainer.corpus.cache import cached  # noqa: E402
from trainer.stage1_cache import build_once  # noqa: E402


def median_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def size_of(entry: Path) -> int:
    return sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())


def checked(entry: Path, full: bool | None) -> None:
    problem = manifest.check(entry, full=full)
    if problem:
        sys.exit(f"{entry}: {problem}")


def disk_read_s(path: Path) -> float | None:
    """Seconds to read ``path`` from the disk itself (O_DIRECT: the page cache neither helps nor changes),
    the cost of a check on a cold cache; None where the filesystem refuses O_DIRECT (tmpfs)."""
    import mmap

    buf = mmap.mmap(-1, manifest.CHUNK)  # page-aligned, as O_DIRECT needs
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECT", 0))
    except OSError:
        return None
    try:
        t0 = time.perf_counter()
        while os.readv(fd, [buf]):
            pass
        return time.perf_counter() - t0
    except OSError:
        return None
    finally:
        os.close(fd)


def smoke_trial(work: Path) -> tuple[float, list[Path]]:
    """Wall time of one smoke trial in ``work`` and the cache entries it left."""
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, str(ROOT / "launch.py"), "run", "--config", str(ROOT / "configs" / "smoke.yaml")],
        cwd=work,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"smoke trial failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    cache = work / ".cache" / "biasgen"
    entries = sorted(
        p
        for kind in ("tokenizer", "stage1", "finetune", "eval", "stage1_model")
        for p in (cache / kind).iterdir()
        if p.is_dir() and "." not in p.name
    )
    return wall, entries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=5_000_000)
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        # 1. the smoke trial and its five entries
        trial_s, entries = smoke_trial(work)
        verify = {e: median_s(lambda e=e: checked(e, None), a.repeats) for e in entries}
        publish = {e: median_s(lambda e=e: manifest.write_manifest(e), a.repeats) for e in entries}
        total_v, total_p = sum(verify.values()), sum(publish.values())
        print(
            (
                f"smoke trial: {trial_s:.1f} s wall; its {len(entries)} cache entries, "
                f"{sum(map(size_of, entries)) / 1e6:.2f} MB:"
            )
        )
        for e in entries:
            print(
                f"  {e.parent.name}/{e.name}: {size_of(e) / 1e6:6.2f} MB, verify {verify[e] * 1e3:6.1f} ms, "
                f"manifest at publish {publish[e] * 1e3:6.1f} ms"
            )
        print(
            f"  verify all (what a trial pays on a hit): {total_v * 1e3:.1f} ms = {total_v / trial_s:.3%} of the "
            f"trial; "
            f"manifests at publish: {total_p * 1e3:.1f} ms = {total_p / trial_s:.3%} (budget 5%)"
        )

        # 2. a larger stage-1 corpus and a 5m model
        cfg = load_config(
            None, [f"data.tokens={a.tokens}", "data.mix=0.5", f"data.cache_dir={work / 'big'}", "model.size=5m"]
        )
        t0 = time.perf_counter()
        art = build_all(cfg)
        corpus_build = time.perf_counter() - t0

        def save_model(tmp: Path) -> dict:
            from trainer.corpus.tokenizer import load_tokenizer
            from trainer.model import build_model

            tok = load_tokenizer(art.tokenizer)
            build_model(cfg, tok, cfg.seed).save_pretrained(str(tmp / "model"), safe_serialization=True)
            tok.save_pretrained(str(tmp / "model"))
            return {"key": "bench", "run_id": "-"}

        model_entry = work / "big" / "stage1_model" / "bench"
        t0 = time.perf_counter()
        build_once(model_entry, save_model)
        model_build = time.perf_counter() - t0
        for name, entry, built in (
            (f"stage-1 corpus, {art.summary['tokens']['total']:,} tokens", art.stage1, corpus_build),
            ("5m model entry", model_entry, model_build),
        ):
            v = median_s(lambda: checked(entry, None), a.repeats)
            p = median_s(lambda: manifest.write_manifest(entry), a.repeats)
            print(
                f"{name}: {size_of(entry) / 1e6:.1f} MB, built in {built:.2f} s; verify {v * 1e3:.1f} ms "
                f"({v / built:.2%} of its build, {v / trial_s:.3%} of the smoke trial); manifest at publish "
                f"{p * 1e3:.1f} ms ({p / built:.2%} of its build)"
            )

        # 3. above ALWAYS_FULL_BYTES: full against sampled, xxh3 against sha256
        big = a.big_mib << 20

        def write_big(tmp: Path) -> None:
            block = os.urandom(64 << 20)
            with open(tmp / "model.safetensors", "wb") as f:
                for _ in range(big // len(block)):
                    f.write(block)
                f.write(block[: big % len(block)])

        t0 = time.perf_counter()
        big_entry, _ = cached(work / "big", "bench", "big", write_big)
        big_build = time.perf_counter() - t0
        full = median_s(lambda: checked(big_entry, True), a.repeats)
        sampled = median_s(lambda: checked(big_entry, False), a.repeats)
        f = big_entry / "model.safetensors"

        def hash_file(h) -> None:
            with open(f, "rb") as fh:
                while block := fh.read(manifest.CHUNK):
                    h.update(block)

        xx = median_s(lambda: hash_file(xxhash.xxh3_128()), a.repeats)
        sha = median_s(lambda: hash_file(hashlib.sha256()), max(1, a.repeats // 2))
        cold = disk_read_s(f)
        label = (
            "always full"
            if big <= manifest.ALWAYS_FULL_BYTES
            else f"above ALWAYS_FULL_BYTES={manifest.ALWAYS_FULL_BYTES >> 20} MiB"
        )
        print(
            f"{a.big_mib} MiB file ({label}), written and hashed in {big_build:.2f} s: full check {full * 1e3:.0f} ms "
            f"({big / full / 1e9:.2f} GB/s), sampled check {sampled * 1e3:.0f} ms ({sampled / full:.1%} of full; "
            f"{manifest.SAMPLE_BYTES >> 20} MiB + first/last chunk); full pass at most every "
            f"{manifest.FULL_EVERY_S // 3600} h"
        )
        print(
            f"hash throughput on that file: xxh3-128 {big / xx / 1e9:.2f} GB/s, sha256 {big / sha / 1e9:.2f} GB/s "
            f"(ratio {sha / xx:.1f})"
        )
        if cold:
            print(
                f"reading it from disk, bypassing the page cache (O_DIRECT): {big / cold / 1e9:.2f} GB/s, so a "
                f"cold full "
                f"check costs ~{cold:.2f} s per GiB-sized entry ({cold * manifest.ALWAYS_FULL_BYTES / big:.2f} s "
                f"at the "
                f"{manifest.ALWAYS_FULL_BYTES >> 20} MiB cut-off, "
                f"{cold * manifest.ALWAYS_FULL_BYTES / big / trial_s:.2%} "
                "of the smoke trial)"
            )


if __name__ == "__main__":
    main()
