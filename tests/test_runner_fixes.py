"""The local runner's fixes: metrics merged eagerly still add up across bundles,
and a bundle whose worker process died runs again, counted once."""

import os
import signal
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import fn_runner
from apache_beam.testing.util import assert_that, equal_to

from pipeline.runner_fixes import (
    WorkerLost,
    consolidate_metrics_eagerly,
    retry_bundles_of_lost_workers,
)


class CountFn(beam.DoFn):
    def __init__(self):
        self.seen = Metrics.counter("test", "seen")

    def process(self, element):
        self.seen.inc()
        yield element


def test_stage_metrics_are_materialized_not_chained_generators():
    consolidate_metrics_eagerly()
    merged = fn_runner.consolidate_monitoring_infos(iter([]))
    assert isinstance(merged, list)


def test_counters_sum_over_many_bundles():
    consolidate_metrics_eagerly()
    pipeline = beam.Pipeline(runner="FnApiRunner")
    _ = (
        pipeline
        | beam.Create(range(30), reshuffle=False)
        | beam.Reshuffle()  # several bundles downstream, each with its own metrics
        | beam.ParDo(CountFn())
    )
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_name("seen"))["counters"]
    assert sum(counter.committed for counter in counters) == 30


def killing_its_process_at(victim: int, marker: Path | None):
    """A step that dies at `victim` (SIGKILL, as the out-of-memory killer does):
    once when `marker` names a file to remember it by, else on every attempt."""

    def step(number: int) -> int:
        if number == victim:
            try:
                if marker is not None:
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return number  # the retry goes through
            os.kill(os.getpid(), signal.SIGKILL)
        return number

    return step


@pytest.fixture(autouse=True)
def fail_instead_of_hanging():
    """Without the fix a killed worker leaves the runner waiting forever."""

    def give_up(signum, frame):
        raise TimeoutError("the runner still waits on a dead worker after 120 s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run_on_two_worker_processes(step) -> None:
    retry_bundles_of_lost_workers()
    options = PipelineOptions(
        ["--runner=FnApiRunner", "--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    )
    pipeline = beam.Pipeline(options=options)
    numbers = (
        pipeline
        | beam.Create(range(20), reshuffle=False)
        | beam.Reshuffle()
        | "MayKillItsWorker" >> beam.Map(step)
    )
    # equal_to compares as multisets: a number seen twice fails as one missing does.
    assert_that(numbers, equal_to(list(range(20))))
    pipeline.run().wait_until_finish()


def test_a_bundle_whose_worker_was_killed_runs_again_and_counts_once(tmp_path):
    run_on_two_worker_processes(killing_its_process_at(7, tmp_path / "killed-once"))
    assert (tmp_path / "killed-once").exists()  # the worker did die once


def test_a_bundle_that_kills_every_worker_fails_naming_its_step():
    with pytest.raises(WorkerLost, match=r"died 4 times running one bundle of .*MayKillItsWorker"):
        run_on_two_worker_processes(killing_its_process_at(7, None))
