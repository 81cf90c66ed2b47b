"""WatchInputs: the streaming source: list the inputs every poll, emit files not yet ingested.

Example: watching `landing/*.txt` with a 10 s poll, a file copied in at 12:00:03
is listed by the poll at 12:00:10 and emitted once as a `SourceFile`; later
polls skip it (the ledger has it once committed, and this worker remembers
what it already emitted until then).

The clock is `PollTicksFn`, a splittable DoFn that sleeps until each poll is
due and then ends the bundle, so every poll is one bundle and an idle watch
costs no CPU (Beam's `PeriodicImpulse` busy-polls on the local runner). On
Dataflow the same source runs; GCS Pub/Sub notifications are the alternative
for buckets too large to list every poll.
"""

import time

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.metrics import Metrics
from apache_beam.transforms import window as beam_window
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.utils.timestamp import Timestamp

from transforms import dataset_log, storage
from transforms.commit_plan import fingerprint, ingested_fingerprints, keep_committed_columns

# Far enough to mean "until stopped" for a watch without --stop_after.
FOREVER_SECONDS = 10 * 365 * 24 * 3600


def poll_count(start: float, stop: float, interval: float) -> int:
    """Polls from `start` to `stop` inclusive, one every `interval` seconds (at least one)."""
    return max(int((stop - start) // interval) + 1, 1)


class PollTicks(RestrictionProvider):
    """The restriction of a watch is the range of its poll indexes."""

    def initial_restriction(self, element):
        start, stop, interval = element
        return OffsetRange(0, poll_count(start, stop, interval))

    def create_tracker(self, restriction):
        return OffsetRestrictionTracker(restriction)

    def restriction_size(self, element, restriction):
        return restriction.size()

    def split(self, element, restriction):
        yield restriction


POLL_TICKS = PollTicks()


class PollTicksFn(beam.DoFn):
    """(start, stop, interval) -> one timestamped tick per poll, each in its own bundle."""

    def process(self, element, tracker=beam.DoFn.RestrictionParam(POLL_TICKS)):  # noqa: B008 - Beam's idiom
        start, _, interval = element
        index = tracker.current_restriction().start
        due = start + index * interval
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        if not tracker.try_claim(index):
            return
        yield beam_window.TimestampedValue(due, Timestamp(due))
        # Ending the bundle here is what lets the stages after it commit each poll.
        tracker.defer_remainder()


class ListNewFilesFn(beam.DoFn):
    """A poll tick -> the `SourceFile`s of the inputs not ingested (or changed) since."""

    def __init__(self, patterns, output, storage_options):
        self._patterns = list(patterns)
        self._output = output
        self._storage_options = dict(storage_options)
        self._emitted = Metrics.counter(self.__class__, "files_emitted")
        self._polls = Metrics.counter(self.__class__, "polls")

    def setup(self):
        keep_committed_columns()
        self._version = None
        self._ingested = {}
        self._in_flight = {}

    def _refresh_ledger(self):
        def read(snapshot):
            if snapshot.version != self._version:
                self._ingested = ingested_fingerprints(snapshot, self._storage_options)
                self._version = snapshot.version

        dataset_log.read_newest(self._output, read, self._storage_options)

    def process(self, tick):
        self._polls.inc()
        self._refresh_ledger()
        for pattern in self._patterns:
            for source in storage.expand_input(pattern, self._storage_options):
                seen = fingerprint(source)
                if self._ingested.get(source.uri) == seen:
                    self._in_flight.pop(source.uri, None)
                    continue
                if self._in_flight.get(source.uri) == seen:
                    continue
                self._in_flight[source.uri] = seen
                self._emitted.inc()
                yield source


class WatchInputs(beam.PTransform):
    """Input patterns -> new `SourceFile`s, poll after poll, until `stop_after` seconds."""

    def __init__(self, patterns, output, storage_options, poll_interval, stop_after, start=None):
        super().__init__()
        self._patterns = list(patterns)
        self._output = output
        self._storage_options = dict(storage_options)
        self._poll_interval = poll_interval
        self._start = time.time() if start is None else start
        self._stop = self._start + (stop_after if stop_after is not None else FOREVER_SECONDS)

    @property
    def start(self) -> float:
        return self._start

    @property
    def last_poll_at(self) -> float:
        count = poll_count(self._start, self._stop, self._poll_interval)
        return self._start + (count - 1) * self._poll_interval

    def expand(self, pbegin):
        return (
            pbegin
            | "WatchRange" >> beam.Create([(self._start, self._stop, self._poll_interval)])
            | "PollTicks" >> beam.ParDo(PollTicksFn())
            | "ListNewFiles"
            >> beam.ParDo(ListNewFilesFn(self._patterns, self._output, self._storage_options))
        )
