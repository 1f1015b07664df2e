"""An interrupted cycle: the command is killed (its whole process group) after some reports are written.

Every report already on disk must be complete (files are replaced atomically), and running the same
cycle again must complete it, with the same bytes as an uninterrupted run of the same inputs
(`sample_cycle`): re-running is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .cycle_checks import assert_complete_report

_MARK = "PARTNER_ANALYTICS_TEST_RUN"


def _marked(marker: str) -> list[int]:
    """Live processes started by the command under test (workers and kernels inherit its environment)."""
    needle = f"{_MARK}={marker}\0".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                environ = fh.read()
            with open(f"/proc/{name}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ and state not in (b"Z", b"X"):
            found.append(int(name))
    return found


def _reports(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if p.name != "index.html")


@pytest.fixture(scope="module")
def interrupted(sample_cycle, sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Run the sample's quarter cycle, kill it after three reports, record what is there, run it again."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to find the processes of the killed cycle")
    out = tmp_path_factory.mktemp("interrupted")
    marker = uuid.uuid4().hex
    env = os.environ | {_MARK: marker}
    command = [sys.executable, "-m", "partner_analytics.cli", "cycle", "latest-quarter", "-e", str(sample_dir)]
    command += ["--committee", "all", "--out", str(out), "--no-pdf"]  # as `sample_cycle`, HTML only
    folder = out / sample_cycle.cycle.folder.relative_to(sample_cycle.cycle.root)
    log = out.parent / f"{out.name}.log"
    with open(log, "wb") as fh:
        process = subprocess.Popen(command, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while len(_reports(folder)) < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        finished_early = process.poll() is not None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert not finished_early, f"the cycle ended before it could be interrupted: {log.read_text()}"
    # Workers run in sessions of their own: a worker busy with a report finishes it, fails to send its
    # result to the dead command, stops its spare kernel and exits.
    deadline = time.monotonic() + 60
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _marked(marker)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    after_kill = {
        "left_running": left,
        "reports": {p: p.read_bytes() for p in _reports(folder)},
        "temporaries": sorted(folder.rglob("*.tmp")),
        "record": json.loads((folder / "cycle.json").read_text()),
    }
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    return folder, after_kill, rerun


def test_reports_written_before_the_kill_are_complete(interrupted) -> None:
    _, after_kill, _ = interrupted
    assert after_kill["left_running"] == []  # nothing outlived its report
    assert len(after_kill["reports"]) >= 3
    for path, data in after_kill["reports"].items():
        assert_complete_report(path, data.decode("utf-8"))
    # a temporary file is never taken for a report: hidden and suffixed .tmp
    assert all(p.name.startswith(".") for p in after_kill["temporaries"])
    record = after_kill["record"]
    assert record["state"] == "in progress" and record["reports_done"] < record["reports_total"] == 4 + 1 + 3 * 4


def test_running_the_cycle_again_completes_it_with_the_same_bytes(interrupted, sample_cycle) -> None:
    folder, after_kill, rerun = interrupted
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    # 4 strategic, the programme overview, 3 months × 4 partners operational
    assert "17 of 17 reports written" in rerun.stdout
    assert list(folder.rglob("*.tmp")) == []
    reports = _reports(folder)
    assert len(reports) == 17
    session = sample_cycle.cycle.folder
    for path in reports:
        assert_complete_report(path)
        relative = path.relative_to(folder)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == sample_cycle.digests[session / relative], relative  # same inputs, same bytes
        if path in after_kill["reports"]:
            assert path.read_bytes() == after_kill["reports"][path]
    record = json.loads((folder / "cycle.json").read_text())
    first = json.loads((session / "cycle.json").read_text())
    assert record["state"] == "complete"
    # the index and its data differ from the uninterrupted run's only in their generation time
    index = (folder / "index.html").read_text(encoding="utf-8").replace(record["generated_at"], "T")
    assert index == (session / "index.html").read_text(encoding="utf-8").replace(first["generated_at"], "T")
    for r in (record, first):
        r.pop("generated_at"), r["lineage"].pop("generated_at")
    assert record == first
