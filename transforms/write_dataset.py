"""WriteDataset: annotated articles and error records -> one commit of the dataset.

Workers stage Parquet files in parallel; one step commits them, as Beam's own
file sinks do (write temporary files, then finalize once):

    articles, errors -> StageRows (every worker, every bundle: files under _dateline/staging/)
                     -> Commit    (one step: plan against the ledger, publish log/<N>.json,
                                   move files into the table folders, write the run manifest)

Example: seed 002 becomes one row in `articles/date=2018-08-24/part-<uuid>.parquet`
(its mentions and entities in the same `date=` of their tables), a PNG among
the inputs a row in `errors/ingest_date=<today>/...`, and each input a row in
the ledger `_dateline/ledger/`. A run manifest goes to `_runs/<run_id>.json`.
The rules that keep one row per article live in `transforms.commit_plan`,
the log protocol in `transforms.dataset_log`.
"""

import dataclasses
import datetime
import json
import logging
import math
import threading
import time
import uuid

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms import window as beam_window

from schemas import tables
from schemas.tables import ArticleRow, EntityRow, ErrorRow, LedgerRow, MentionRow
from transforms import dataset_log, gazetteer, progress, storage, stories, table_files
from transforms.commit_plan import (
    ARTICLE_OUTCOME,
    ERROR_OUTCOME,
    CommitContext,
    StagedFile,
    keep_committed_columns,
    plan_commit,
)
from transforms.errors import ErrorRecord
from transforms.extract_entities import AnnotatedArticle
from transforms.memory import release_freed_memory

MANIFEST_DIR = "_runs"
DEFAULT_MAX_ROWS_PER_FILE = 100_000


def article_row(article: AnnotatedArticle, ingested_at: datetime.datetime) -> ArticleRow:
    source, header = article.parsed.source, article.parsed.header
    return ArticleRow(
        article_id=source.article_id,
        source_uri=source.uri,
        source_size=source.size,
        source_modified=source.modified,
        encoding=source.encoding,
        title=header.title,
        headline=header.headline,
        dateline=header.dateline,
        place=header.place,
        country_code=header.country_code,
        timezone=header.timezone,
        agencies=list(header.agencies),
        author=header.author,
        published_date=header.published_date,
        date_source=header.date_source,
        body=header.body,
        word_count=len(header.body.split()),
        mention_count=len(article.mentions),
        entity_count=len(article.entities),
        ingested_at=ingested_at,
        pipeline_version=tables.PIPELINE_VERSION,
        control_chars_removed=source.control_chars_removed,
        # Its own story until the commit finds it like another (transforms/stories.py).
        story_id=source.article_id,
        body_minhash=stories.body_minhash(header.body),
        language=article.language,
        place_geonameid=getattr(article.dateline_place, "geonameid", None),
        place_latitude=getattr(article.dateline_place, "latitude", None),
        place_longitude=getattr(article.dateline_place, "longitude", None),
        focus_geonameid=getattr(article.focus, "geonameid", None),
        focus_name=getattr(article.focus, "name", None),
        focus_country_code=getattr(article.focus, "country_code", None),
    )


def _ledger_row(run_id, ingested_at, identity: tuple, article_id, outcome, partition):
    """The ledger row of one input; `identity` is (uri, size, modified, generation).

    The commit stamps `commit_version`."""
    uri, size, modified, generation = identity
    return LedgerRow(
        source_uri=uri,
        source_size=size,
        source_modified=modified,
        source_generation=generation,
        article_id=article_id,
        outcome=outcome,
        partition=partition,
        run_id=run_id,
        commit_version=0,
        ingested_at=ingested_at,
    )


def article_table_rows(article: AnnotatedArticle, ingested_at, run_id: str):
    """(table, partition, row) for the article, its mentions, entities and ledger entry."""
    source = article.parsed.source
    partition = tables.partition_value(article.parsed.header.published_date)
    yield tables.ARTICLES, partition, article_row(article, ingested_at)
    for mention in article.mentions:
        row = MentionRow(article_id=source.article_id, **dataclasses.asdict(mention))
        yield tables.MENTIONS, partition, row
    for entity in article.entities:
        row = EntityRow(article_id=source.article_id, **dataclasses.asdict(entity))
        yield tables.ENTITIES, partition, row
    identity = (source.uri, source.size, source.modified, source.generation)
    ledger = _ledger_row(
        run_id, ingested_at, identity, source.article_id, ARTICLE_OUTCOME, partition
    )
    yield tables.LEDGER, None, ledger


def error_row(record: ErrorRecord, ingested_at: datetime.datetime) -> ErrorRow:
    return ErrorRow(
        source_uri=record.source_uri,
        stage=record.stage,
        error_class=record.error_class,
        message=record.message,
        source_size=record.source_size,
        sample=record.sample,
        source_modified=record.source_modified,
        ingested_at=ingested_at,
        pipeline_version=tables.PIPELINE_VERSION,
    )


def error_table_rows(record: ErrorRecord, ingested_at, run_id: str):
    """(table, partition, row) for an error and its ledger entry."""
    partition = ingested_at.date().isoformat()
    yield tables.ERRORS, partition, error_row(record, ingested_at)
    identity = (
        record.source_uri,
        record.source_size,
        record.source_modified,
        record.source_generation,
    )
    ledger = _ledger_row(run_id, ingested_at, identity, None, ERROR_OUTCOME, partition)
    yield tables.LEDGER, None, ledger


def _window_timestamp(window):
    if isinstance(window, beam_window.GlobalWindow):
        return beam_window.MIN_TIMESTAMP
    return window.max_timestamp()


class StageRowsFn(beam.DoFn):
    """Articles and error records -> Parquet files under `_dateline/staging/`, per bundle.

    Every row of one input is staged in one `group` of files, which lets the
    commit drop an input's rows from exactly the files that hold them. A group
    holds at most one copy of an article (and one of an input): a second copy
    of a text in the bundle opens a second group, so the commit can keep the
    copy with the smallest uri and turn the others into `DuplicateArticle`
    errors (no GroupByKey of whole texts before NER, whose buffer would grow
    with the corpus on local runners). Files roll at `max_rows_per_file` rows
    or ~16 MiB (`table_files.STAGED_FILE_BYTES`).
    """

    def __init__(self, output, storage_options, run_id, ingested_at, max_rows_per_file):
        self._output = output
        self._storage_options = dict(storage_options)
        self._run_id = run_id
        self._ingested_at = ingested_at
        self._max_rows = max_rows_per_file
        self._files = Metrics.counter(self.__class__, "files_staged")
        self._copy_groups = Metrics.counter(self.__class__, "copy_groups_opened")

    def start_bundle(self):
        self._groups = []  # (group id, the article ids and uris it holds)
        self._buffers = {}

    def _group_for(self, keys: set) -> str:
        for group, held in self._groups:
            if held.isdisjoint(keys):
                held |= keys
                return group
        if self._groups:
            self._copy_groups.inc()
        self._groups.append((uuid.uuid4().hex, set(keys)))
        return self._groups[-1][0]

    def _table_rows(self, element):
        if isinstance(element, AnnotatedArticle):
            progress.note("article")
            source = element.parsed.source
            keys = {source.article_id, source.uri}
            return keys, article_table_rows(element, self._ingested_at, self._run_id)
        progress.note("error")
        return {element.source_uri}, error_table_rows(element, self._ingested_at, self._run_id)

    def process(self, element, window=beam.DoFn.WindowParam):
        keys, rows = self._table_rows(element)
        group = self._group_for(keys)
        for table, partition, row in rows:
            key = (group, window, table.name, partition)
            buffer = self._buffers.get(key)
            if buffer is None:
                buffer = self._buffers[key] = table_files.RowBuffer(
                    table, self._max_rows, table_files.STAGED_FILE_BYTES
                )
            buffer.append(row)
            if buffer.full:
                yield from self._flush(key)

    def _flush(self, key):
        group, window, table_name, partition = key
        buffer = self._buffers.pop(key)
        table = tables.COMMITTED_TABLES[table_name]
        path = table_files.staged_path(self._run_id, table, partition)
        table_files.write_parquet(
            storage.join(self._output, path), buffer.to_table(), self._storage_options
        )
        self._files.inc()
        staged = StagedFile(table.name, partition, path, buffer.rows, group)
        yield beam_window.WindowedValue(staged, _window_timestamp(window), [window])

    def finish_bundle(self):
        for key in list(self._buffers):
            yield from self._flush(key)


def manifest_url(output: str, run_id: str) -> str:
    return storage.join(output, MANIFEST_DIR, f"{run_id}.json")


def run_manifest(run_id, started_at, inputs, listing: dict, commits: list[dict]) -> dict:
    """The run's record: what went in, what each commit wrote, whether all inputs are accounted."""
    totals = {}
    for summary in commits:
        for key, value in summary.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    errors_by_stage = {}
    for summary in commits:
        for stage, count in summary.get("errors_by_stage", {}).items():
            errors_by_stage[stage] = errors_by_stage.get(stage, 0) + count
    rows = {name: totals.get(name, 0) for name in tables.TABLES}
    skipped = listing.get("skipped_unchanged", 0) + totals.get("skipped_already_ingested", 0)
    files_read = listing.get("files_read", 0)
    return {
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "pipeline_version": tables.PIPELINE_VERSION,
        # What places were resolved against (transforms/gazetteer.py).
        "gazetteer": gazetteer.source_versions(),
        "inputs": list(inputs),
        "input_files": listing.get("files_matched", 0),
        "files_read": files_read,
        "skipped_unchanged": skipped,
        "rows": rows,
        "errors_by_stage": errors_by_stage,
        "inputs_replaced": totals.get("inputs_replaced", 0),
        "files_rewritten": totals.get("files_rewritten", 0),
        "commits": [summary["version"] for summary in commits if "version" in summary],
        # Every file matched is skipped (ingested before) or became one article or one error.
        "all_inputs_accounted": listing.get("files_matched", 0)
        == listing.get("skipped_unchanged", 0) + files_read
        and files_read
        == rows["articles"] + rows["errors"] + totals.get("skipped_already_ingested", 0),
    }


def commit_staged(staged: list[StagedFile], context: CommitContext) -> dict:
    """Plans and publishes one commit for `staged`; returns its summary (counts, version)."""
    leftovers, summary = [], {}

    def plan(snapshot):
        result = plan_commit(snapshot, staged, context)
        kept = {added.staged for added in result.added}
        leftovers[:] = [file.path for file in staged if file.path not in kept]
        summary.clear()
        summary.update(result.counts)
        summary["errors_by_stage"] = {
            stage: count for stage, count in result.errors_by_stage.items() if count
        }
        if not result.added and not result.removed:
            return None
        return result.added, result.removed, dict(summary), "ingest", context.run_id

    record, snapshot = dataset_log.commit_with_retries(
        context.output, plan, context.storage_options
    )
    for path in leftovers:
        # Staged files the commit did not take (filtered copies, staged ledger rows).
        storage.remove(storage.join(context.output, path), context.storage_options)
    if record is None:
        return {**summary, "dataset_version": snapshot.version}
    return {**summary, "version": record.version}


def _write_manifest(output, storage_options, manifest: dict) -> None:
    storage.write_atomically(
        manifest_url(output, manifest["run_id"]),
        json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"),
        storage_options,
    )


@dataclasses.dataclass(frozen=True)
class RunInfo:
    """What every commit of a run needs to know about the run."""

    output: str
    run_id: str
    started_at: datetime.datetime
    inputs: tuple[str, ...]
    storage_options: dict
    reprocess: bool = False
    max_rows_per_file: int = DEFAULT_MAX_ROWS_PER_FILE

    def context(self) -> CommitContext:
        return CommitContext(
            output=self.output,
            run_id=self.run_id,
            ingested_at=self.started_at,
            reprocess=self.reprocess,
            storage_options=dict(self.storage_options),
            max_rows_per_file=self.max_rows_per_file,
        )


class CommitRunFn(beam.DoFn):
    """All staged files of a batch run (a side input) -> one commit and the run manifest."""

    def __init__(self, run: RunInfo):
        self._run = run

    def process(self, _, staged, listing):
        run = self._run
        summary = commit_staged(list(staged), run.context())
        manifest = run_manifest(run.run_id, run.started_at, run.inputs, dict(listing), [summary])
        if not manifest["all_inputs_accounted"]:
            logging.error("run %s lost inputs: %s", run.run_id, manifest)
        _write_manifest(run.output, run.storage_options, manifest)
        yield manifest


@dataclasses.dataclass(frozen=True)
class CommitSchedule:
    """When a local watch commits: windows of `window` seconds from the watch's start.

    Example: start 0, window 10: a file staged at 13 s is committed by the
    first poll to end after 20 s, and everything still pending at the last poll.
    """

    start: float
    window: float
    last_poll_at: float

    def window_end(self, moment: float) -> float:
        return self.start + (math.floor((moment - self.start) / self.window) + 1) * self.window


class WindowCommitter:
    """Streaming on local runners: commits what this process staged, once per window.

    The local runners run a streaming pipeline's GroupByKeys, and even its
    Flattens, only when the pipeline ends (measured), so each staging step
    hands its files here at the end of its bundle (one poll) and the commit
    runs at the end of the first poll after the window of the oldest
    uncommitted file closes, and at the last poll. Staged files not committed
    when the process dies are garbage: their inputs are not in the ledger, so
    a restart ingests them.
    """

    _by_run: dict = {}
    _lock = threading.Lock()

    def __init__(self, run: RunInfo, schedule: CommitSchedule):
        self._run = run
        self._schedule = schedule
        self._pending = []
        self._due_at = None
        self._summaries = []

    @classmethod
    def of(cls, run: RunInfo, schedule: CommitSchedule) -> "WindowCommitter":
        with cls._lock:
            return cls._by_run.setdefault(run.run_id, cls(run, schedule))

    def add_and_commit_if_due(self, staged: list[StagedFile]) -> None:
        with self._lock:
            now = time.time()
            if staged and self._due_at is None:
                self._due_at = self._schedule.window_end(now)
            self._pending += staged
            due = self._due_at is not None and now >= self._due_at
            last_poll = now >= self._schedule.last_poll_at
            if self._pending and (due or last_poll):
                self._summaries.append(commit_staged(self._pending, self._run.context()))
                self._pending, self._due_at = [], None
                self._write_manifest()
                # What the commit freed goes back to the system, or a long watch grows.
                release_freed_memory()
            elif last_poll and not self._summaries:
                self._write_manifest()  # a watch that found nothing new still reports

    def _write_manifest(self) -> None:
        run = self._run
        # A watch has no one listing: what it read is what its commits took in.
        read = sum(
            s.get("inputs_committed", 0) + s.get("skipped_already_ingested", 0)
            for s in self._summaries
        )
        listing = {"files_matched": read, "files_read": read}
        manifest = run_manifest(run.run_id, run.started_at, run.inputs, listing, self._summaries)
        _write_manifest(run.output, run.storage_options, manifest)


class StageAndCommitFn(StageRowsFn):
    """StageRowsFn that hands its bundle's files to the process's `WindowCommitter`."""

    def __init__(self, run: RunInfo, schedule: CommitSchedule):
        super().__init__(
            run.output,
            run.storage_options,
            run.run_id,
            run.started_at,
            run.max_rows_per_file,
        )
        self._run = run
        self._schedule = schedule

    def setup(self):
        keep_committed_columns()
        self._committer = WindowCommitter.of(self._run, self._schedule)

    def start_bundle(self):
        super().start_bundle()
        self._rolled = []

    def process(self, element, window=beam.DoFn.WindowParam):
        # Files that roll mid-bundle wait for the bundle's end: an input's
        # ledger row must never be committed before the rest of its rows.
        self._rolled += [windowed.value for windowed in super().process(element, window)]

    def finish_bundle(self):
        staged = self._rolled + [windowed.value for windowed in super().finish_bundle()]
        self._committer.add_and_commit_if_due(staged)
        return []


class CommitWindowFn(beam.DoFn):
    """Streaming on distributed runners: (key, staged files of one window) -> one commit."""

    def __init__(self, run: RunInfo):
        self._run = run

    def setup(self):
        keep_committed_columns()

    def process(self, keyed_staged):
        _, staged = keyed_staged
        summary = commit_staged(list(staged), self._run.context())
        release_freed_memory()  # a committer runs for the life of the stream
        yield summary


def staged_parts(collections: dict) -> dict:
    """{'Articles': articles, 'ReadErrors': ..., ...}: each collection a staging step gets.

    Each is staged on its own: a Flatten of whole articles would make Beam's
    local runner hold every annotated article in memory before staging.
    """
    parts = {"Articles": collections["articles"]}
    for stage, errors in collections["errors_by_stage"].items():
        name = "".join(word.capitalize() for word in stage.split("_"))
        parts[f"{name}Errors"] = errors
    return parts


class StageRows(beam.PTransform):
    """{'articles', 'errors_by_stage'} -> StagedFile records, written by every worker."""

    def __init__(self, run: RunInfo):
        super().__init__()
        self._run = run

    def expand(self, collections):
        run = self._run
        staged = [
            part
            | f"Stage{name}"
            >> beam.ParDo(
                StageRowsFn(
                    run.output,
                    run.storage_options,
                    run.run_id,
                    run.started_at,
                    run.max_rows_per_file,
                )
            )
            for name, part in staged_parts(collections).items()
        ]
        return staged | "AllStaged" >> beam.Flatten()


class WriteDataset(beam.PTransform):
    """{'articles', 'errors_by_stage', 'listing'} of a batch run -> one commit and its manifest.

    `listing` holds ('files_matched' | 'skipped_unchanged' | 'files_read', n) counts; the
    manifest checks that every file matched was skipped or became an article or an error.
    """

    def __init__(self, run: RunInfo):
        super().__init__()
        self._run = run

    def expand(self, collections):
        staged = collections | "StageRows" >> StageRows(self._run)
        return (
            collections["articles"].pipeline
            | "CommitOnce" >> beam.Create([self._run.run_id])
            | "Commit"
            >> beam.ParDo(
                CommitRunFn(self._run),
                staged=beam.pvalue.AsList(staged),
                listing=beam.pvalue.AsDict(collections["listing"]),
            )
        )
