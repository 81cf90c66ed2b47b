"""Live progress: a redrawn line on a terminal, plain log lines elsewhere."""

import os
import pty
import re
import select
import subprocess
import sys

import pytest

from tests.conftest import REPO, bbc_folder, copy_seeds
from transforms import progress

PROGRESS = re.compile(
    r"(?P<done>\d+)/(?P<total>\d+) files · (?P<rate>[\d.]+) articles/s · (?P<errors>\d+) errors?"
    r" · ETA \d+:\d\d"
)


def test_the_reader_sums_every_process_file_and_waits_for_half_written_lines(tmp_path):
    (tmp_path / "1").write_text("matched 40\nskipped 2\narticle\narticle\n")
    (tmp_path / "2").write_text("article\nerror\narti")
    reader = progress.ProgressReader(tmp_path)
    assert reader.read() == progress.Counts(matched=40, skipped=2, articles=3, errors=1)
    with (tmp_path / "2").open("a") as file:
        file.write("cle\narticle 5\n")
    assert reader.read() == progress.Counts(matched=40, skipped=2, articles=9, errors=1)


def test_noting_writes_nothing_without_a_progress_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(progress.ENVIRONMENT_VARIABLE, raising=False)
    progress.note("article")
    monkeypatch.setenv(progress.ENVIRONMENT_VARIABLE, str(tmp_path))
    progress.note("matched", 3)
    progress.note("article")
    assert progress.ProgressReader(tmp_path).read() == progress.Counts(matched=3, articles=1)


def test_the_line_says_files_rate_errors_and_time_left():
    counts = progress.Counts(matched=2225, skipped=25, articles=1000, errors=100)
    assert (
        progress.describe(counts, 25.0, streaming=False)
        == "1,100/2,200 files (25 unchanged skipped) · 25.0 articles/s · 100 errors · ETA 0:44"
    )
    assert progress.describe(progress.Counts(), None, streaming=False).startswith("listing")
    watch = progress.describe(progress.Counts(articles=7), 1.5, streaming=True)
    assert watch == "7 files ingested · 1.5 articles/s · 0 errors"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = bbc_folder(tmp_path_factory.mktemp("progress") / "in", 120, "tech")
    (folder / "empty.txt").write_text("")
    return folder


def _command(inputs, output, *extra):
    return [
        *(sys.executable, "-m", "pipeline.cli", "run"),
        *("--input", str(inputs), "--output", str(output), *extra),
    ]


def test_a_terminal_sees_one_line_redrawn_with_files_rate_errors_and_eta(inputs, tmp_path):
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        _command(inputs, tmp_path / "out"),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 600)
        assert ready, "no output for 10 minutes"
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the run closed its end
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = process.communicate(timeout=60)
    os.close(controller)
    assert process.returncode == 0, seen.decode()[-2000:]
    drawn = seen.decode().split("\r\x1b[K")
    done = [int(found[1]) for part in drawn if (found := re.search(r"(\d+)/121 files", part))]
    assert len(done) >= 2 and done == sorted(done) and done[-1] > done[0], drawn
    assert any(PROGRESS.search(part) for part in drawn), drawn  # a rate and an ETA too
    assert "\n" not in "".join(drawn[1:-1])  # redrawn in place, not scrolled
    assert seen.decode().endswith("\r\x1b[K")  # cleared before the summary
    assert "articles written       120" in stdout.decode()


def test_without_a_terminal_it_writes_plain_log_lines_ending_with_the_whole_run(inputs, tmp_path):
    completed = subprocess.run(
        _command(inputs, tmp_path / "out", "--progress_interval", "0.5"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = [line for line in completed.stderr.splitlines() if ": progress: " in line]
    assert len(lines) >= 2, completed.stderr
    assert "\r" not in completed.stderr and "\x1b" not in completed.stderr
    last = PROGRESS.search(lines[-1])
    # Both worker processes' articles are counted: the last line is the whole run.
    assert (last["done"], last["total"], last["errors"]) == ("121", "121", "1")


def test_progress_off_writes_nothing(tmp_path):
    inputs = copy_seeds(tmp_path / "seeds")
    completed = subprocess.run(
        _command(inputs, tmp_path / "out", "--progress", "off", "--direct_num_workers=1"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "progress" not in completed.stderr
