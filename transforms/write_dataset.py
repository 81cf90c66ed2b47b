"""WriteDataset: annotated articles and error records -> Hive-partitioned Parquet tables.

Example: seed 002 becomes one row in `articles/date=2018-08-24/part-00000-<digest>.parquet`,
its mentions and entities land in the same `date=` partition of `mentions/`
and `entities/`, and a PNG among the inputs becomes a row in
`errors/ingest_date=<today>/...`. A run manifest goes to `_runs/<run_id>.json`.

File names derive from the inputs whose rows they hold (a digest of their
keys), and each write merges the shard's earlier file, replacing the rows of
inputs it brings again: a retried bundle, a re-run over the same input or a
nightly run over a growing folder refreshes rows instead of adding copies.
Each file is written whole before it becomes visible, so readers never see
half a file.
"""

import dataclasses
import datetime
import hashlib
import io
import json
import logging
import posixpath
from collections.abc import Iterable, Iterator

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.metrics import Metrics

from schemas import tables
from schemas.tables import ArticleRow, EntityRow, ErrorRow, MentionRow, Table
from transforms import storage
from transforms.errors import ErrorRecord
from transforms.extract_entities import AnnotatedArticle

MANIFEST_DIR = "_runs"
INPUT_FILES = "input_files"


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
    )


def table_rows(
    article: AnnotatedArticle, ingested_at: datetime.datetime
) -> Iterator[tuple[str, str, object]]:
    """(table name, partition value, row) for the article and its mentions and entities."""
    article_id = article.parsed.source.article_id
    partition = tables.partition_value(article.parsed.header.published_date)
    yield tables.ARTICLES.name, partition, article_row(article, ingested_at)
    for mention in article.mentions:
        yield (
            tables.MENTIONS.name,
            partition,
            MentionRow(article_id=article_id, **dataclasses.asdict(mention)),
        )
    for entity in article.entities:
        yield (
            tables.ENTITIES.name,
            partition,
            EntityRow(article_id=article_id, **dataclasses.asdict(entity)),
        )


def error_row(record: ErrorRecord, ingested_at: datetime.datetime) -> ErrorRow:
    return ErrorRow(
        **dataclasses.asdict(record),
        ingested_at=ingested_at,
        pipeline_version=tables.PIPELINE_VERSION,
    )


def file_key(table: Table, record: dict) -> str:
    """What identifies the input a row came from: the article, or the errored file."""
    return "\x00".join(str(record[column]) for column in table.input_key)


def shard_of(key: str, num_shards: int) -> int:
    """A stable shard for a key, so all rows of one article share a file."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % num_shards


def file_name(table: Table, shard: int, records: Iterable[dict]) -> str:
    """`part-00000-<digest>.parquet`, the digest over the distinct keys of the rows."""
    digest = hashlib.sha256()
    for key in sorted({file_key(table, record) for record in records}):
        digest.update(key.encode("utf-8") + b"\n")
    return f"part-{shard:05d}-{digest.hexdigest()[:16]}.parquet"


def keyed_record(partitioned_row: tuple[str, object], table: Table, num_shards: int):
    """(partition, row) -> ((partition, shard), row as a dict of its columns)."""
    partition, row = partitioned_row
    record = dataclasses.asdict(row)
    return (partition, shard_of(file_key(table, record), num_shards)), record


def partition_dir(output: str, table: Table, partition: str) -> str:
    return storage.join(output, table.name, f"{table.partition_column}={partition}")


def shard_files_glob(directory: str, shard: int) -> str:
    return storage.join(directory, f"part-{shard:05d}-*.parquet")


def records_not_replaced(
    table: Table, urls: list[str], replaced_keys: set[str], storage_options
) -> list[dict]:
    """Rows of earlier files whose input this write does not bring again."""
    kept = []
    for url in urls:
        # Bytes first: pyarrow reading through a Python fsspec handle can abort
        # the interpreter at exit (arrow issue 39162).
        previous = pq.read_table(io.BytesIO(storage.read_bytes(url, storage_options)))
        kept += [
            record
            for record in previous.to_pylist()
            if file_key(table, record) not in replaced_keys
        ]
    return kept


def parquet_bytes(table: Table, rows: Iterable[object]) -> bytes:
    buffer = io.BytesIO()
    batch = tables.to_record_batch(table, rows)
    pq.write_table(pa.Table.from_batches([batch], schema=table.schema), buffer)
    return buffer.getvalue()


class WriteTableFn(beam.DoFn):
    """((partition, shard), records) -> one Parquet file; emits (table name, rows written).

    Rows already in the shard's earlier files are merged in, except those of
    inputs this run brings again, which the new rows replace. So a run over
    files that were ingested before (the same folder every night, a retried
    bundle) refreshes their rows instead of duplicating them, and rows of
    other inputs are never lost. The merged file is written first and the
    files it replaces are removed after, so a reader at worst briefly sees a
    row twice, never misses one.
    """

    def __init__(self, table: Table, output: str, storage_options: storage.StorageOptions):
        self._table = table
        self._output = output
        self._storage_options = dict(storage_options)
        self._files = Metrics.counter(self.__class__, f"{table.name}_files")
        self._rows = Metrics.counter(self.__class__, f"{table.name}_rows")
        self._replaced = Metrics.counter(self.__class__, f"{table.name}_files_replaced")

    def process(self, keyed_records):
        (partition, shard), records = keyed_records
        records = list(records)
        written = len(records)
        directory = partition_dir(self._output, self._table, partition)
        previous = storage.glob(shard_files_glob(directory, shard), self._storage_options)
        new_keys = {file_key(self._table, record) for record in records}
        records += records_not_replaced(self._table, previous, new_keys, self._storage_options)
        name = file_name(self._table, shard, records)
        url = storage.join(directory, name)
        storage.write_atomically(url, parquet_bytes(self._table, records), self._storage_options)
        for stale in previous:
            # Same folder, so the name decides; the glob's URLs may spell the folder otherwise.
            if posixpath.basename(stale) != name:
                storage.remove(stale, self._storage_options)
                self._replaced.inc()
        self._files.inc()
        self._rows.inc(written)
        yield self._table.name, written


class WriteTable(beam.PTransform):
    """(partition, row) pairs of one table -> Parquet files, grouped per partition and shard."""

    def __init__(self, table: Table, output: str, storage_options, num_shards: int):
        super().__init__()
        self._table = table
        self._output = output
        self._storage_options = storage_options
        self._num_shards = num_shards

    def expand(self, partitioned_rows):
        table, num_shards = self._table, self._num_shards
        return (
            partitioned_rows
            | "KeyByFile" >> beam.Map(keyed_record, table, num_shards)
            | "GroupByFile" >> beam.GroupByKey()
            | "WriteParquet" >> beam.ParDo(WriteTableFn(table, self._output, self._storage_options))
        )


def write_empty_tables(
    output: str, counts: dict, ingest_partition: str, storage_options: storage.StorageOptions
) -> list[str]:
    """An empty, typed file for each table that has no Parquet file yet.

    Readers (DuckDB, BigQuery, Spark) fail on a table folder with no files;
    an empty file keeps `SELECT count(*)` answering 0 with the right schema.
    """
    written = []
    for table in tables.TABLES.values():
        if counts.get(table.name, 0):
            continue
        if storage.glob(storage.join(output, table.name, "**", "*.parquet"), storage_options):
            continue
        partition = (
            ingest_partition if table.name == tables.ERRORS.name else tables.UNKNOWN_PARTITION
        )
        url = storage.join(partition_dir(output, table, partition), "part-00000-empty.parquet")
        storage.write_atomically(url, parquet_bytes(table, []), storage_options)
        written.append(url)
    return written


def run_manifest(run_id: str, started_at: datetime.datetime, inputs: list[str], counts: dict):
    """The run's record: what went in, how many rows of each table came out."""
    errors_by_stage = {
        key.split("/", 1)[1]: value for key, value in counts.items() if key.startswith("errors/")
    }
    table_counts = {name: counts.get(name, 0) for name in tables.TABLES}
    input_files = counts.get(INPUT_FILES, 0)
    return {
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "pipeline_version": tables.PIPELINE_VERSION,
        "inputs": inputs,
        "input_files": input_files,
        "rows": table_counts,
        "errors_by_stage": errors_by_stage,
        # Every input must be an article, an error, or a duplicate (an error too).
        "all_inputs_accounted": input_files == table_counts["articles"] + table_counts["errors"],
    }


def manifest_url(output: str, run_id: str) -> str:
    return storage.join(output, MANIFEST_DIR, f"{run_id}.json")


class FinishRunFn(beam.DoFn):
    """All counts of the run -> empty tables where needed and the run manifest."""

    def __init__(self, output, storage_options, run_id, started_at, inputs):
        self._output = output
        self._storage_options = dict(storage_options)
        self._run_id = run_id
        self._started_at = started_at
        self._inputs = list(inputs)

    def process(self, counts: dict):
        write_empty_tables(
            self._output, counts, self._started_at.date().isoformat(), self._storage_options
        )
        manifest = run_manifest(self._run_id, self._started_at, self._inputs, counts)
        if not manifest["all_inputs_accounted"]:
            logging.error("run %s lost inputs: %s", self._run_id, manifest)
        storage.write_atomically(
            manifest_url(self._output, self._run_id),
            json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"),
            self._storage_options,
        )
        yield manifest


class WriteDataset(beam.PTransform):
    """{'articles', 'errors', 'sources'} PCollections -> the four tables and a run manifest.

    `sources` holds one element per input file read; the manifest checks that
    inputs = articles + errors.
    """

    def __init__(
        self,
        output: str,
        run_id: str,
        started_at: datetime.datetime,
        inputs: list[str],
        storage_options: storage.StorageOptions | None = None,
        num_shards: int = 1,
    ):
        super().__init__()
        self._output = output
        self._run_id = run_id
        self._started_at = started_at
        self._inputs = inputs
        self._storage_options = dict(storage_options or {})
        self._num_shards = num_shards

    def expand(self, collections):
        ingested_at = self._started_at
        article_rows = collections["articles"] | "ToTableRows" >> beam.FlatMap(
            table_rows, ingested_at
        )
        by_table = {
            name: article_rows
            | f"Select{name.capitalize()}" >> beam.Filter(lambda row, name=name: row[0] == name)
            | f"Drop{name.capitalize()}Name" >> beam.Map(lambda row: (row[1], row[2]))
            for name in (tables.ARTICLES.name, tables.MENTIONS.name, tables.ENTITIES.name)
        }
        ingest_partition = ingested_at.date().isoformat()
        by_table[tables.ERRORS.name] = collections["errors"] | "ToErrorRows" >> beam.Map(
            lambda record: (ingest_partition, error_row(record, ingested_at))
        )
        written = [
            rows
            | f"Write{name.capitalize()}"
            >> WriteTable(
                tables.TABLES[name], self._output, self._storage_options, self._num_shards
            )
            for name, rows in by_table.items()
        ]
        stage_counts = collections["errors"] | "CountErrorsByStage" >> beam.Map(
            lambda record: (f"errors/{record.stage}", 1)
        )
        input_counts = collections["sources"] | "CountInputs" >> beam.Map(
            lambda _: (INPUT_FILES, 1)
        )
        zero_counts = collections["sources"].pipeline | "ZeroCounts" >> beam.Create(
            [(name, 0) for name in (*tables.TABLES, INPUT_FILES)]
        )
        return (
            (*written, stage_counts, input_counts, zero_counts)
            | "AllCounts" >> beam.Flatten()
            | "SumCounts" >> beam.CombinePerKey(sum)
            | "CountsAsDict" >> beam.combiners.ToDict()
            | "FinishRun"
            >> beam.ParDo(
                FinishRunFn(
                    self._output,
                    self._storage_options,
                    self._run_id,
                    self._started_at,
                    self._inputs,
                )
            )
        )
