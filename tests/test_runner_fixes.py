"""The local runner's metrics merge, made eager, still adds up across bundles."""

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.portability.fn_api_runner import fn_runner

from pipeline.runner_fixes import consolidate_metrics_eagerly


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
