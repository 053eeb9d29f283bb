"""A real browser on the real UI: headless Chromium opens the MLflow UI served by `launch.py ui` on a sweep's
store and the HTML report of `launch.py analyze`. Screenshots go to test-artifacts/browser/ (or
$BIASGEN_TEST_ARTIFACTS/browser/) for a person to look at.

Chromium is Debian's `chromium` (installed by .ci/run). Without it the test is skipped, unless
BIASGEN_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser fails it."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sweeps.analysis import analyze
from sweeps.report import write
from trainer import tracking
from trainer.runtime_env import REPO_ROOT

from test_analyze import SIZES, log_sweep

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
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--no-first-run", "--hide-scrollbars",
            "--run-all-compositor-stages-before-draw", f"--user-data-dir={profile}", f"--window-size={size}",
            "--virtual-time-budget=60000"]
    if screenshot is not None:
        r = subprocess.run([*base, f"--screenshot={screenshot}", url], capture_output=True, text=True, timeout=180)
        assert screenshot.exists() and screenshot.stat().st_size > 10000, r.stderr[-2000:]
    r = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def colour_pixels(png: Path, rgb: tuple[int, int, int], tol: int = 12) -> int:
    from PIL import Image

    img = Image.open(png).convert("RGB")
    return sum(n for n, c in img.getcolors(maxcolors=1 << 24) if all(abs(a - b) <= tol for a, b in zip(c, rgb)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ui_lists_the_sweep_with_its_metric_and_the_report_renders(tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    parent = log_sweep(store, "browser-sweep", SIZES, seeds=(0, 1))
    a = analyze(store, "browser-sweep")
    write(a, tmp_path / "analysis")
    finished = sorted(t.name for t in a.trials if t.finished)
    assert len(finished) == 12

    port = free_port()
    ui = subprocess.Popen([sys.executable, str(REPO_ROOT / "launch.py"), "ui", "--tracking-uri", store, "--port",
                           str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first, link = ui.stdout.readline(), ui.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first, first
        assert link.strip().startswith("sweep browser-sweep: http://"), link
        table_url = link.split(": ", 1)[1].strip()
        dom = chromium(tmp_path / "p1", table_url, screenshot=ARTIFACTS / "mlflow_experiment_runs.png")
        missing = [n for n in finished if n not in dom]
        assert not missing, f"runs not listed on the experiment page: {missing}"
        assert "Sort: heldout/gain" in dom.replace("\u00a0", " ") or "heldout/gain" in dom
        shown = re.search(r"(\d+)(?:</[^>]+>)?\s*matching runs", dom)  # finished, failed and running: none hidden
        assert shown and int(shown.group(1)) == len(a.trials) == 14, shown and shown.group(0)
        dom = chromium(tmp_path / "p2", table_url + "&compareRunsMode=CHART",
                       screenshot=ARTIFACTS / "mlflow_experiment_charts.png")
        assert ">heldout/gain<" in dom, "no heldout/gain chart on the experiment page"
        # The report attached to the parent run is served by the same server, byte for byte.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/get-artifact?path=analysis/report.html"
                                    f"&run_uuid={parent}", timeout=30) as r:
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
