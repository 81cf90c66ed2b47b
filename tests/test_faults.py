"""Faults in the middle of a run: a worker process dies, the storage goes away.

Each run's tables are compared with those of a clean run over the same files:
every article exactly once, nothing lost.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import apache_beam as beam
import pytest

from pipeline import build
from pipeline import main as pipeline_main
from tests.conftest import REPO, bbc_folder, table_contents
from tests.gcs_server import GcsServer
from transforms import storage

pytestmark = pytest.mark.slow

BUCKET = "faults"


class KillWorkerOnce(beam.DoFn):
    """Kills its own process (SIGKILL, as the kernel's out-of-memory killer does)
    at the victim article, once: the marker file remembers it across workers."""

    def __init__(self, victim: str, marker: str):
        self.victim = victim
        self.marker = marker

    def process(self, parsed):
        if parsed.source.uri.endswith(self.victim):
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                pass  # the retry: this time the article goes through
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        yield parsed


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Twelve BBC stories and the tables of a clean one-process run over them."""
    base = tmp_path_factory.mktemp("faults")
    inputs = bbc_folder(base / "in", 12, "tech")
    clean = base / "clean"
    outcome = pipeline_main.run(
        ["--input", str(inputs), "--output", str(clean), "--direct_num_workers=1"]
    )
    assert outcome.manifest["rows"]["articles"] == 12
    return inputs, table_contents(str(clean))


def test_a_worker_killed_mid_bundle_is_retried_and_every_article_is_written_once(
    tmp_path, corpus, monkeypatch
):
    inputs, clean = corpus
    victim = sorted(path.name for path in inputs.iterdir())[7]
    marker = tmp_path / "killed-once"
    real_extract = build.ExtractEntities

    def extract_after_a_worker_death(**kwargs):
        return "KillWorkerOnce" >> beam.ParDo(KillWorkerOnce(victim, str(marker))) | (
            real_extract(**kwargs)
        )

    monkeypatch.setattr(build, "ExtractEntities", extract_after_a_worker_death)
    output = tmp_path / "out"
    outcome = pipeline_main.run(
        ["--input", str(inputs), "--output", str(output)]
        + ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    )
    assert marker.exists(), "the worker was never killed"
    assert outcome.manifest["all_inputs_accounted"]
    assert outcome.manifest["rows"]["articles"] == 12
    assert table_contents(str(output)) == clean


def _start_cli_run(inputs: Path, output: str, server: GcsServer) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--input", str(inputs)]
        + ["--output", output, "--storage_option", f"endpoint_url={server.url}"]
        + ["--storage_option", "token=anon"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_staged_objects(server: GcsServer, process: subprocess.Popen, prefix: str):
    deadline = time.monotonic() + 300
    while not server.object_names(BUCKET, f"{prefix}/_dateline/staging/"):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no file was ever staged"
        time.sleep(0.05)


@pytest.fixture
def gcs_on_disk(tmp_path):
    """A fake-gcs-server whose objects survive a stop and a start."""
    server = GcsServer(root=tmp_path / "gcs")
    server.start()
    storage.filesystem("gs://x", {"endpoint_url": server.url, "token": "anon"})[0].mkdir(BUCKET)
    yield server
    server.stop()


def test_storage_gone_mid_run_fails_in_one_line_and_a_rerun_loses_and_repeats_nothing(
    corpus, gcs_on_disk
):
    inputs, clean = corpus
    output = f"gs://{BUCKET}/gone"
    process = _start_cli_run(inputs, output, gcs_on_disk)
    _wait_for_staged_objects(gcs_on_disk, process, "gone")
    gcs_on_disk.stop()  # gcsfs retries for about half a minute, then gives up
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, stderr[-3000:]
    last_lines = stderr.strip().splitlines()[-2:]
    assert last_lines[0].startswith("dateline run: error: run "), stderr[-3000:]
    assert " failed: " in last_lines[0]
    assert "run the same command again" in last_lines[1]
    assert "Traceback (most recent call last)" not in stderr, stderr[-6000:]
    gcs_on_disk.start()
    rerun = _start_cli_run(inputs, output, gcs_on_disk)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr[-3000:]
    options = {"endpoint_url": gcs_on_disk.url, "token": "anon"}
    assert table_contents(output, options) == clean


def test_a_short_storage_outage_mid_run_is_ridden_out_by_retries(corpus, gcs_on_disk):
    inputs, clean = corpus
    output = f"gs://{BUCKET}/blip"
    process = _start_cli_run(inputs, output, gcs_on_disk)
    _wait_for_staged_objects(gcs_on_disk, process, "blip")
    gcs_on_disk.stop()
    time.sleep(3)
    gcs_on_disk.start()
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-3000:]
    options = {"endpoint_url": gcs_on_disk.url, "token": "anon"}
    assert table_contents(output, options) == clean


def test_a_runner_thread_that_dies_during_a_run_writes_to_the_worker_log_not_the_terminal(
    tmp_path, capsys
):
    log = tmp_path / "workers.txt"
    hook_before = threading.excepthook

    def broken_stream():
        raise ConnectionResetError("the worker's data stream broke")

    with pipeline_main.thread_errors_to(log):
        thread = threading.Thread(target=broken_stream, name="read_grpc_client_inputs")
        thread.start()
        thread.join()
    assert capsys.readouterr().err == ""
    written = log.read_text()
    assert "exception in thread read_grpc_client_inputs" in written
    assert "ConnectionResetError: the worker's data stream broke" in written
    assert threading.excepthook is hook_before  # restored after the run
