"""The tables dateline writes: one row type and one pyarrow schema each.

This module is the single source of truth for column names, types and the
partition column of every table. Writers build rows as the dataclasses below
and convert them with `to_record_batch`; the README documents these columns.

Example: an `ArticleRow` for seed 002 lands in
`articles/date=2018-08-24/part-....parquet`.
"""

import dataclasses
import datetime
import types
import typing

import pyarrow as pa

PIPELINE_VERSION = "0.4.0"

# Hive's partition value for NULL: DuckDB, Spark, polars and pyarrow read the
# folder as NULL and keep typing `date` as DATE. Outputs of dateline 0.1 used
# `unknown`, which `dateline sql` still reads as NULL.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
LEGACY_NULL_PARTITION = "unknown"


@dataclasses.dataclass(frozen=True)
class ArticleRow:
    article_id: str
    source_uri: str
    source_size: int
    source_modified: datetime.datetime | None
    encoding: str
    title: str | None
    headline: str | None
    dateline: str | None
    place: str | None
    country_code: str | None
    timezone: str | None
    agencies: list[str]
    author: str | None
    published_date: datetime.date | None
    date_source: str
    body: str
    word_count: int
    mention_count: int
    entity_count: int
    ingested_at: datetime.datetime
    pipeline_version: str
    control_chars_removed: int | None = 0
    story_id: str | None = None
    body_minhash: bytes | None = None
    language: str | None = None
    place_geonameid: int | None = None
    place_latitude: float | None = None
    place_longitude: float | None = None
    focus_geonameid: int | None = None
    focus_name: str | None = None
    focus_country_code: str | None = None


@dataclasses.dataclass(frozen=True)
class MentionRow:
    article_id: str
    entity_id: str | None
    text: str
    label: str
    start_char: int
    end_char: int
    sentence: int
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    feature_code: str | None = None


@dataclasses.dataclass(frozen=True)
class EntityRow:
    article_id: str
    entity_id: str
    name: str
    label: str
    mention_count: int
    first_char: int
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    feature_code: str | None = None


@dataclasses.dataclass(frozen=True)
class ErrorRow:
    source_uri: str
    stage: str
    error_class: str
    message: str
    source_size: int | None
    sample: str
    source_modified: datetime.datetime | None
    ingested_at: datetime.datetime
    pipeline_version: str


@dataclasses.dataclass(frozen=True)
class PersonNameRow:
    """One PERSON name of one period (a month): how many articles name it, and who it is.

    `person_id` is the `entity_id` of the full name a partial name (`Yeltsin`)
    stands for in that period, or the name's own `entity_id`. Kept by every
    commit that changes the period's entities (transforms/link_people.py).
    """

    entity_id: str
    name: str
    articles: int
    person_id: str
    person_name: str
    person_articles: int | None
    candidate_articles: int | None


@dataclasses.dataclass(frozen=True)
class LedgerRow:
    """One ingested input file: what it was when read, and what it became.

    The ledger is the dataset's memory of its inputs: a run skips a file whose
    `uri`, `source_size`, `source_modified` and `source_generation` match its
    latest entry, and re-ingests it otherwise, replacing the rows it gave.
    """

    source_uri: str
    source_size: int | None
    source_modified: datetime.datetime | None
    source_generation: str | None
    article_id: str | None
    outcome: str
    partition: str
    run_id: str
    commit_version: int
    ingested_at: datetime.datetime


_TIMESTAMP = pa.timestamp("us", tz="UTC")

ARTICLES_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("source_size", pa.int64(), nullable=False),
        pa.field("source_modified", _TIMESTAMP),
        pa.field("encoding", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("headline", pa.string()),
        pa.field("dateline", pa.string()),
        pa.field("place", pa.string()),
        pa.field("country_code", pa.string()),
        pa.field("timezone", pa.string()),
        pa.field("agencies", pa.list_(pa.string()), nullable=False),
        pa.field("author", pa.string()),
        pa.field("published_date", pa.date32()),
        pa.field("date_source", pa.string(), nullable=False),
        pa.field("body", pa.string(), nullable=False),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("mention_count", pa.int32(), nullable=False),
        pa.field("entity_count", pa.int32(), nullable=False),
        pa.field("ingested_at", _TIMESTAMP, nullable=False),
        pa.field("pipeline_version", pa.string(), nullable=False),
        # Added in 0.2.1: NULL in files written before.
        pa.field("control_chars_removed", pa.int32()),
        # Added in 0.3.0: NULL in files written before (transforms/stories.py).
        pa.field("story_id", pa.string()),
        pa.field("body_minhash", pa.binary()),
        pa.field("language", pa.string()),
        # Added in 0.4.0: NULL in files written before (transforms/toponyms.py).
        pa.field("place_geonameid", pa.int64()),
        pa.field("place_latitude", pa.float64()),
        pa.field("place_longitude", pa.float64()),
        pa.field("focus_geonameid", pa.int64()),
        pa.field("focus_name", pa.string()),
        pa.field("focus_country_code", pa.string()),
    ]
)

# Added in 0.4.0 to mentions and entities: the GeoNames place of a toponym (NULL when
# none fits, and in files written before).
_PLACE_FIELDS = [
    pa.field("geonameid", pa.int64()),
    pa.field("latitude", pa.float64()),
    pa.field("longitude", pa.float64()),
    pa.field("country_code", pa.string()),
    pa.field("feature_code", pa.string()),
]

MENTIONS_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("start_char", pa.int32(), nullable=False),
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("sentence", pa.int32(), nullable=False),
        *_PLACE_FIELDS,
    ]
)

ENTITIES_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("mention_count", pa.int32(), nullable=False),
        pa.field("first_char", pa.int32(), nullable=False),
        *_PLACE_FIELDS,
    ]
)

ERRORS_SCHEMA = pa.schema(
    [
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("error_class", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
        pa.field("source_size", pa.int64()),
        pa.field("sample", pa.string(), nullable=False),
        pa.field("source_modified", _TIMESTAMP),
        pa.field("ingested_at", _TIMESTAMP, nullable=False),
        pa.field("pipeline_version", pa.string(), nullable=False),
    ]
)

PERSON_NAMES_SCHEMA = pa.schema(
    [
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("articles", pa.int32(), nullable=False),
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("person_name", pa.string(), nullable=False),
        pa.field("person_articles", pa.int32()),
        pa.field("candidate_articles", pa.int32()),
    ]
)

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("source_size", pa.int64()),
        pa.field("source_modified", _TIMESTAMP),
        pa.field("source_generation", pa.string()),
        pa.field("article_id", pa.string()),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("partition", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("commit_version", pa.int64(), nullable=False),
        pa.field("ingested_at", _TIMESTAMP, nullable=False),
    ]
)


@dataclasses.dataclass(frozen=True)
class Table:
    """A table's name, row type, schema, Hive partition column and keys.

    `input_key` is the column that names the input a row came from (its
    article, or the file that failed): the commit replaces rows by it.
    `sort_key` orders rows inside a file so files are reproducible. `path` is
    the table's folder under the output root.
    """

    name: str
    row_type: type
    schema: pa.Schema
    partition_column: str | None
    input_key: str
    sort_key: tuple[str, ...]
    path: str = ""

    @property
    def folder(self) -> str:
        return self.path or self.name


ARTICLES = Table("articles", ArticleRow, ARTICLES_SCHEMA, "date", "article_id", ("article_id",))
MENTIONS = Table(
    "mentions", MentionRow, MENTIONS_SCHEMA, "date", "article_id", ("article_id", "start_char")
)
ENTITIES = Table(
    "entities", EntityRow, ENTITIES_SCHEMA, "date", "article_id", ("article_id", "first_char")
)
ERRORS = Table(
    "errors",
    ErrorRow,
    ERRORS_SCHEMA,
    "ingest_date",
    "source_uri",
    ("source_uri", "stage", "error_class"),
)
# Derived: rewritten per period (month) by each commit that changes that period's entities.
PERSON_NAMES = Table(
    "person_names", PersonNameRow, PERSON_NAMES_SCHEMA, "period", "entity_id", ("entity_id",)
)
# Internal: the dataset's record of ingested files, kept beside its commit log.
LEDGER = Table(
    "ledger",
    LedgerRow,
    LEDGER_SCHEMA,
    None,
    "source_uri",
    ("source_uri", "commit_version"),
    path="_dateline/ledger",
)

# The tables users query; the commit writes these and the ledger together.
TABLES = {table.name: table for table in (ARTICLES, MENTIONS, ENTITIES, ERRORS, PERSON_NAMES)}
COMMITTED_TABLES = {**TABLES, LEDGER.name: LEDGER}


def to_record_batch(table: Table, rows: typing.Iterable[object]) -> pa.RecordBatch:
    """Rows (of `table.row_type`, or dicts of its columns) as a batch sorted so files reproduce."""
    records = [row if isinstance(row, dict) else dataclasses.asdict(row) for row in rows]
    records.sort(key=lambda record: tuple(record[column] for column in table.sort_key))
    return pa.RecordBatch.from_pylist(records, schema=table.schema)


def partition_value(value: datetime.date | None) -> str:
    """Hive partition value of a date: `2018-08-24`, or `__HIVE_DEFAULT_PARTITION__` for None."""
    return value.isoformat() if value is not None else NULL_PARTITION


def partition_folder(table: Table, partition: str) -> str:
    """`articles/date=2018-08-24`, relative to the output root; the ledger has no partitions."""
    if table.partition_column is None:
        return table.folder
    return f"{table.folder}/{table.partition_column}={partition}"


# Python annotation -> the Arrow type it must be written as; used by the schema test.
ARROW_TYPE_OF_ANNOTATION = {
    str: (pa.string(),),
    int: (pa.int32(), pa.int64()),
    datetime.datetime: (_TIMESTAMP,),
    datetime.date: (pa.date32(),),
    list[str]: (pa.list_(pa.string()),),
    bytes: (pa.binary(),),
    float: (pa.float64(),),
}


def annotation_parts(annotation: object) -> tuple[object, bool]:
    """`int | None` -> (int, True); `str` -> (str, False)."""
    if isinstance(annotation, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return members[0], len(members) < len(typing.get_args(annotation))
    return annotation, False
