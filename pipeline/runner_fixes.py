"""A work-around for Beam's local runner, applied before every run.

FnApiRunner folds each bundle's metrics into its stage's with
`monitoring_infos.consolidate`, which is a generator: the stage's metrics
become a generator over the new bundle's protos chained to the previous
generator, consumed only when the pipeline ends. A batch run has a few hundred
bundles; a streaming watch has one per poll per stage for hours, and holds
every one of them. Measured with heaptrack on bench/streaming_watch.py: the
live C heap (protobuf arenas, outside Python's tracemalloc) grew about
80 KB per commit and was all freed at exit. Consolidating into a list keeps
one set of metrics per stage; the totals are the same.
"""

from apache_beam.metrics import monitoring_infos
from apache_beam.runners.portability.fn_api_runner import fn_runner


def _consolidated(metrics) -> list:
    return list(monitoring_infos.consolidate(metrics))


def consolidate_metrics_eagerly() -> None:
    """Make the local runner merge each bundle's metrics at once (idempotent)."""
    fn_runner.consolidate_monitoring_infos = _consolidated
