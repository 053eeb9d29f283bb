"""A real browser on the real UI: headless Chromium opens the MLflow UI served by `launch.py ui` on a sweep's
store and the HTML report of `launch.py analyze`. Screenshots go to test-artifacts/browser/ (or
$BIASGEN_TEST_ARTIFACTS/browser/) for a person to look at.

Chromium is Debian's `chromium` (installed by .ci/run). Without it the test is skipped, unless
BIASGEN_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser fails it."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from helpers import SIZES, ctrl_c_reaches_it, data_hash, free_port, log_sweep

from sweeps.analysis import analyze
from sweeps.report import write
from sweeps.ui import HEADLINE_METRICS
from trainer import tracking
from trainer.runtime_env import REPO_ROOT

pytestmark = pytest.mark.e2e  # headless Chromium against a real MLflow UI server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("BIASGEN_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts")) / "browser"
MPL_BLUE, MPL_ORANGE = (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E)  # matplotlib's C0 and C1 line colours

if CHROMIUM is None:
    if os.environ.get("BIASGEN_REQUIRE_BROWSER") == "1":
        raise RuntimeError("BIASGEN_REQUIRE_BROWSER=1 but no chromium on PATH (.ci/run installs Debian's chromium)")
    pytestmark = pytest.mark.skip(reason="no chromium on PATH (apt-get install chromium; .ci/run does)")


def chromium(profile: Path, url: str, *, screenshot: Path | None = None, size: str = "2000,1400") -> str:
    """Load ``url`` headless and return the DOM after scripts ran (and save a screenshot if asked).
    Virtual time lets the single-page app finish its requests and lazy charts before the capture."""
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--hide-scrollbars",
        "--run-all-compositor-stages-before-draw",
        f"--user-data-dir={profile}",
        f"--window-size={size}",
        "--virtual-time-budget=60000",
    ]
    if screenshot is not None:
        r = subprocess.run([*base, f"--screenshot={screenshot}", url], capture_output=True, text=True, timeout=180)
        assert screenshot.exists() and screenshot.stat().st_size > 10000, r.stderr[-2000:]
    r = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def header_cells(dom: str) -> dict[str, str]:
    """The runs table's rendered column headers: column id (``params.`data.mix``` ...) -> header text. The
    grid renders only the columns in (or next to) the viewport, so a hidden column is never among them."""
    out = {}
    for cell in re.split(r'(?=<div class="ag-header-cell[ "])', dom)[1:]:
        m = re.match(r'<div[^>]*col-id="([^"]+)"', cell)
        if m:
            out[html.unescape(m.group(1))] = _text(re.split(r'<div[^>]*role="row"', cell)[0])
    return out


def dataset_cells(dom: str) -> dict[str, str]:
    """The runs table's Dataset cells: run id (the grid's row id) -> the cell's text."""
    out = {}
    for row in re.split(r'(?=<div[^>]*role="row")', dom)[1:]:
        rid = re.match(r'<div[^>]*row-id="([^"]+)"', row)
        cell = re.search(r'col-id="attributes.`Dataset`"[^>]*>(.*?)</button>', row, re.S)
        if rid and cell:
            out[rid.group(1)] = _text(cell.group(1))
    return out


def colour_pixels(png: Path, rgb: tuple[int, int, int], tol: int = 12) -> int:
    from PIL import Image

    img = Image.open(png).convert("RGB")
    return sum(n for n, c in img.getcolors(maxcolors=1 << 24) if all(abs(a - b) <= tol for a, b in zip(c, rgb)))


def test_ui_lists_the_sweep_with_its_metric_and_the_report_renders(tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    parent = log_sweep(store, "browser-sweep", SIZES, seeds=(0, 1), datasets=True)
    a = analyze(store, "browser-sweep")
    write(a, tmp_path / "analysis")
    finished = sorted(t.name for t in a.trials if t.finished)
    assert len(finished) == 12

    port = free_port()
    ui = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "launch.py"), "ui", "--tracking-uri", store, "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=ctrl_c_reaches_it,  # stopped by SIGINT, as Ctrl-C would
    )
    try:
        first, link = ui.stdout.readline(), ui.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first, first
        assert link.strip().startswith("sweep browser-sweep: http://"), link
        table_url = link.split(": ", 1)[1].strip()
        # Wide enough for every column beside the assistant panel that MLflow opens on a first visit.
        dom = chromium(tmp_path / "p1", table_url, screenshot=ARTIFACTS / "runs-table.png", size="2800,1200")
        missing = [n for n in finished if n not in dom]
        assert not missing, f"runs not listed on the experiment page: {missing}"
        assert "Sort: heldout/gain" in dom.replace("\u00a0", " ") or "heldout/gain" in dom
        shown = re.search(r"(\d+)(?:</[^>]+>)?\s*matching runs", dom)  # finished, failed and running: none hidden
        assert shown and int(shown.group(1)) == len(a.trials) == 14, shown and shown.group(0)
        # No clicks: the sweep's axes and the headline metrics are columns, the corpus is the Dataset column.
        headers, sweep = header_cells(dom), tracking.client(store).get_run(parent)
        axes = sweep.data.params["sweep.axes"].split(",")
        wanted = {
            "attributes.`Dataset`": "Dataset",
            **{f"params.`{a}`": a for a in axes},
            **{f"metrics.`{m}`": m for m in HEADLINE_METRICS},
        }
        assert {k: headers.get(k) for k in wanted} == wanted, headers
        assert "metrics.`heldout/rate_lo`" not in headers  # logged, not chosen: the view decides the columns
        trials = tracking.client(store).search_runs(
            [sweep.info.experiment_id], "tags.`biasgen.role` = 'trial' and attributes.status = 'FINISHED'"
        )
        expected = {
            r.info.run_id: data_hash(float(r.data.params["data.mix"]), int(r.data.params["seed"])) for r in trials
        }
        cells = dataset_cells(dom)
        assert len(expected) == 12 and all(cells.get(rid, "").startswith(h) for rid, h in expected.items()), cells
        dom = chromium(
            tmp_path / "p2", table_url + "&compareRunsMode=CHART", screenshot=ARTIFACTS / "mlflow_experiment_charts.png"
        )
        assert ">heldout/gain<" in dom, "no heldout/gain chart on the experiment page"
        # The report attached to the parent run is served by the same server, byte for byte.
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/get-artifact?path=analysis/report.html&run_uuid={parent}", timeout=30
        ) as r:
            assert r.read() == (tmp_path / "analysis" / "report.html").read_bytes()
    finally:
        ui.send_signal(signal.SIGINT)
        assert ui.wait(30) == 0

    shot = ARTIFACTS / "analysis_report.png"
    dom = chromium(tmp_path / "p3", (tmp_path / "analysis" / "report.html").as_uri(), screenshot=shot, size="1400,3000")
    assert "Scaling analysis: browser-sweep" in dom and dom.count("<img") == 6
    # The figures are drawn, not broken-image icons: their line colours are on the rendered page.
    assert colour_pixels(shot, MPL_ORANGE) > 500 and colour_pixels(shot, MPL_BLUE) > 500
    assert tracking.client(store).get_run(parent).info.status == "RUNNING"  # the analysis leaves the run as it was
