"""What one commit does to the dataset, decided from its staged files and the current snapshot.

The rules that keep exactly one row per article and per failed input:

- An input whose ledger entry matches it (same uri, size, modified time and
  generation) was committed already (a concurrent run, a retried bundle):
  its staged rows are dropped, unless the run reprocesses.
- Any other input replaces what its uri gave before: the rows of its old
  article (in the old `date` partition) or its old error row.
- An article already owned by another input (the same text under another
  uri) is not added again: the input becomes a `DuplicateArticle` error
  naming the owner. Within one commit the smallest uri wins.
- Existing files are rewritten only to drop replaced rows; new rows go to
  new files. The ledger gets one new row per input, stamped with the commit
  version; the newest row per uri is the ledger's truth.

Example: the seeds committed, then `000_...txt` edited and run again -> the
plan removes the old article's rows from `articles/date=2018-10-23/part-A`
(rewritten as `part-B` without them) and adds the staged files of the new text.
"""

import dataclasses
import datetime
import functools
import threading
from collections import defaultdict

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from schemas import tables
from transforms import dataset_log, link_people, stories, table_files
from transforms.dataset_log import AddedFile, DataFile, Snapshot

DUPLICATE_STAGE = "deduplicate"
ARTICLE_OUTCOME = "article"
ERROR_OUTCOME = "error"
DATA_TABLES = (tables.ARTICLES, tables.MENTIONS, tables.ENTITIES)


@dataclasses.dataclass(frozen=True)
class StagedFile:
    """A Parquet file a worker wrote under `_dateline/staging/`; `group` is its writer's bundle.

    Rows of one input never span groups, so excluding an input from a group
    touches only that group's files.
    """

    table: str
    partition: str | None
    path: str
    rows: int
    group: str


@dataclasses.dataclass(frozen=True)
class CommitContext:
    output: str
    run_id: str
    ingested_at: datetime.datetime
    reprocess: bool
    storage_options: dict
    max_rows_per_file: int = 100_000


@dataclasses.dataclass
class Plan:
    added: list[AddedFile] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    counts: dict = dataclasses.field(default_factory=lambda: defaultdict(int))
    errors_by_stage: dict = dataclasses.field(default_factory=lambda: defaultdict(int))

    def count_error_stages(self, stages: pa.ChunkedArray) -> None:
        for stage in stages.to_pylist():
            self.errors_by_stage[stage] += 1

    def add(self, table: tables.Table, partition: str | None, staged: str, rows: int) -> None:
        self.added.append(
            AddedFile(DataFile(table.name, partition, table_files.final_path(staged), rows), staged)
        )
        self.counts[table.name] += rows


def _staged_table(context: CommitContext, files: list[StagedFile], table: tables.Table):
    """Every staged file of `table` concatenated, with a `_group` column."""
    parts = []
    for staged in files:
        if staged.table != table.name:
            continue
        data = table_files.read_parquet(
            dataset_log.storage.join(context.output, staged.path), context.storage_options
        )
        parts.append(data.append_column("_group", pa.array([staged.group] * data.num_rows)))
    schema = table.schema.append(pa.field("_group", pa.string()))
    return pa.concat_tables(parts) if parts else schema.empty_table()


LEDGER_COLUMNS = ["source_uri", "source_size", "source_modified", "source_generation"]
LEDGER_COLUMNS += ["article_id", "outcome", "partition", "commit_version"]


class _CommittedColumns:
    """Some columns of a table's committed files, as a process has read them, by (output, path).

    A committed file never changes (a compaction writes new paths), so a
    streaming watcher, which reads the ledger at every poll that sees a new
    version and at every commit, reads each file once instead of all of them
    each time: per commit, the files of that commit, however long the watch.
    Off in batch runs, which read the ledger twice and should not hold it
    between (streaming steps call `keep_committed_columns`). `read` reads one
    file's columns (a file written before a column existed may lack it).
    """

    def __init__(self, table: tables.Table, columns: list[str], read=None):
        self._table_name = table.name
        self._columns = columns
        self._reader = read
        self._tables: dict[tuple[str, str], pa.Table] = {}
        self._lock = threading.Lock()
        self.enabled = False

    def _read(self, snapshot: Snapshot, path: str, storage_options) -> pa.Table:
        read = self._reader or table_files.read_live
        return read(snapshot, path, storage_options, self._columns)

    def current(self, snapshot: Snapshot, storage_options) -> list[pa.Table]:
        files = snapshot.files_of(self._table_name)
        if not self.enabled:
            return [self._read(snapshot, file.path, storage_options) for file in files]
        live = {(snapshot.output, file.path) for file in files}
        with self._lock:
            for key in [k for k in self._tables if k[0] == snapshot.output and k not in live]:
                del self._tables[key]
            for file in files:
                key = (snapshot.output, file.path)
                if key not in self._tables:
                    self._tables[key] = self._read(snapshot, file.path, storage_options)
            return [self._tables[(snapshot.output, file.path)] for file in files]


_LEDGER_FILES = _CommittedColumns(tables.LEDGER, LEDGER_COLUMNS)

STORY_COLUMNS = ["article_id", "story_id", "body_minhash"]


def _read_story_columns(snapshot, path: str, storage_options, columns) -> pa.Table:
    """A committed articles file's story columns; none from a file written before 0.3.0."""
    try:
        return table_files.read_live(snapshot, path, storage_options, columns)
    except pa.ArrowInvalid:
        return tables.ARTICLES_SCHEMA.empty_table().select(columns)


_STORY_FILES = _CommittedColumns(tables.ARTICLES, STORY_COLUMNS, _read_story_columns)


def keep_committed_columns() -> None:
    """From now on this process reads each committed ledger and story file once (streaming)."""
    _LEDGER_FILES.enabled = True
    _STORY_FILES.enabled = True


def _current_ledger(snapshot: Snapshot, storage_options) -> pa.Table:
    """Every committed ledger row (the newest per uri is picked in SQL)."""
    parts = _LEDGER_FILES.current(snapshot, storage_options)
    if not parts:
        return tables.LEDGER_SCHEMA.empty_table().select(LEDGER_COLUMNS)
    return pa.concat_tables(parts)


# The ledger's truth: the newest row of each uri (rows are appended, never rewritten).
NEWEST_LEDGER_ROWS_SQL = """
SELECT * FROM {table}
QUALIFY row_number() OVER (PARTITION BY source_uri ORDER BY commit_version DESC) = 1
"""

DECISIONS_SQL = f"""
WITH cur AS ({NEWEST_LEDGER_ROWS_SQL.format(table="current_ledger")}), new AS (
    SELECT * FROM staged_ledger
    QUALIFY row_number() OVER (PARTITION BY source_uri ORDER BY _group) = 1
)
SELECT new.source_uri, new._group AS group_id, new.article_id, new.outcome, new.partition,
       new.source_size, new.source_modified,
       cur.source_uri IS NOT NULL
           AND cur.source_size IS NOT DISTINCT FROM new.source_size
           AND cur.source_modified IS NOT DISTINCT FROM new.source_modified
           AND cur.source_generation IS NOT DISTINCT FROM new.source_generation AS unchanged,
       cur.article_id AS old_article_id, cur.outcome AS old_outcome, cur.partition AS old_partition,
       (SELECT min(owner.source_uri) FROM cur AS owner
         WHERE owner.outcome = 'article' AND owner.article_id = new.article_id
           AND owner.source_uri <> new.source_uri) AS other_owner
FROM new LEFT JOIN cur USING (source_uri)
ORDER BY new.source_uri
"""

# Staged inputs that lost to another copy of their uri in the same commit (a retried bundle).
SHADOWED_SQL = """
SELECT source_uri, article_id, _group AS group_id FROM staged_ledger
QUALIFY row_number() OVER (PARTITION BY source_uri ORDER BY _group) > 1
"""


@dataclasses.dataclass
class Decisions:
    """Keys to drop from staged files (per group) and from existing files (per partition)."""

    excluded: dict = dataclasses.field(default_factory=lambda: defaultdict(set))
    removed_articles: dict = dataclasses.field(default_factory=lambda: defaultdict(set))
    removed_errors: dict = dataclasses.field(default_factory=lambda: defaultdict(set))
    duplicates: list = dataclasses.field(default_factory=list)
    skipped_uris: set = dataclasses.field(default_factory=set)
    ledger_updates: dict = dataclasses.field(default_factory=dict)
    skipped: int = 0
    replaced: int = 0


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def decide(staged_ledger: pa.Table, current_ledger: pa.Table, reprocess: bool) -> Decisions:
    """Apply the module's rules to the staged inputs; pure, on Arrow tables."""
    con = duckdb.connect()
    con.register("staged_ledger", staged_ledger)
    con.register("current_ledger", current_ledger)
    rows = _records(con, DECISIONS_SQL)
    decisions = Decisions()
    for shadowed in _records(con, SHADOWED_SQL):
        decisions.excluded[shadowed["group_id"]] |= {shadowed["source_uri"], shadowed["article_id"]}
    ingesting = {row["source_uri"] for row in rows if reprocess or not row["unchanged"]}
    owners = {}  # article_id -> the uri whose rows hold it after this commit
    for row in rows:
        if row["source_uri"] not in ingesting:
            decisions.skipped += 1
            decisions.skipped_uris.add(row["source_uri"])
            decisions.excluded[row["group_id"]] |= {row["source_uri"], row["article_id"]}
            continue
        if row["old_outcome"] is not None:
            decisions.replaced += 1
            if row["old_outcome"] == ARTICLE_OUTCOME:
                decisions.removed_articles[row["old_partition"]].add(row["old_article_id"])
            else:
                decisions.removed_errors[row["old_partition"]].add(row["source_uri"])
        if row["outcome"] != ARTICLE_OUTCOME:
            continue
        other = row["other_owner"]
        owner = other if other is not None and other not in ingesting else None
        owner = owner or owners.get(row["article_id"])
        if owner is None:
            owners[row["article_id"]] = row["source_uri"]
            continue
        decisions.excluded[row["group_id"]] |= {row["source_uri"], row["article_id"]}
        decisions.duplicates.append((row, owner, owner == other))
    return decisions


INGESTED_SQL = f"""
SELECT source_uri, source_size, source_modified, source_generation
FROM ({NEWEST_LEDGER_ROWS_SQL.format(table="current_ledger")})
"""


def ingested_fingerprints(snapshot: Snapshot, storage_options=None) -> dict:
    """uri -> (size, modified, generation) of the newest ledger row: what a run may skip."""
    con = duckdb.connect()
    con.register("current_ledger", _current_ledger(snapshot, storage_options))
    return {
        uri: (size, modified, generation)
        for uri, size, modified, generation in con.execute(INGESTED_SQL).fetchall()
    }


def fingerprint(source) -> tuple:
    """What the ledger compares: size, modified time, generation (GCS object version)."""
    return (source.size, source.modified, source.generation)


def _filtered(data: pa.Table, key: str, dropped: set) -> pa.Table:
    keys = sorted(key for key in dropped if key is not None)
    if not keys:
        return data
    return data.filter(pc.invert(pc.is_in(data[key], value_set=pa.array(keys))))


def _write_new_files(
    plan: Plan, context: CommitContext, table: tables.Table, partition, data: pa.Table
) -> None:
    """`data` as new staged files of at most `max_rows_per_file` rows (and ~64 MiB) each."""
    data = table_files.conform(table, data)
    for chunk in table_files.row_chunks(data, context.max_rows_per_file):
        staged = table_files.staged_path(context.run_id, table, partition)
        table_files.write_parquet(
            dataset_log.storage.join(context.output, staged), chunk, context.storage_options
        )
        plan.add(table, partition, staged, chunk.num_rows)


def _story_changes(snapshot: Snapshot, context: CommitContext, files, decisions):
    """({article_id: story_id}, staged paths holding them) for the staged articles like
    another story (transforms/stories.py).

    Staged rows carry their own id as `story_id`; only those that join another
    story change, so only their files are rewritten.
    """
    new, path_of = {}, {}
    for staged in files:
        if staged.table != tables.ARTICLES.name:
            continue
        url = dataset_log.storage.join(context.output, staged.path)
        data = table_files.read_parquet(
            url, context.storage_options, ["article_id", "body_minhash"]
        )
        dropped = decisions.excluded.get(staged.group, set())
        for article_id, signature in zip(*data.to_pydict().values(), strict=True):
            if article_id not in dropped:
                new[article_id], path_of[article_id] = signature, staged.path
    if not new:
        return {}, set()
    removed = set().union(*decisions.removed_articles.values())
    stored = {}
    for data in _STORY_FILES.current(snapshot, context.storage_options):
        for article_id, story_id, signature in zip(*data.to_pydict().values(), strict=True):
            if signature is not None and article_id not in removed and article_id not in new:
                stored[article_id] = (story_id or article_id, signature)
    assigned = stories.assign_stories(new, stored)
    changes = {article_id: story for article_id, story in assigned.items() if story != article_id}
    return changes, {path_of[article_id] for article_id in changes}


def _with_stories(data: pa.Table, changes: dict) -> pa.Table:
    """`data` (articles) with the `story_id` of each article that joins another story."""
    current = zip(data["article_id"].to_pylist(), data["story_id"].to_pylist(), strict=True)
    story_ids = pa.array([changes.get(article, story) for article, story in current], pa.string())
    return data.set_column(data.schema.get_field_index("story_id"), "story_id", story_ids)


def _add_staged(
    plan: Plan, context: CommitContext, files: list[StagedFile], excluded, stories_joined
) -> None:
    """Staged data files join the commit as they are, or rewritten when some inputs are
    excluded or some articles join another story."""
    for staged in files:
        table = tables.COMMITTED_TABLES[staged.table]
        if table is tables.LEDGER:
            continue
        dropped = excluded.get(staged.group, set())
        url = dataset_log.storage.join(context.output, staged.path)
        story_changes, story_paths = stories_joined
        restoried = staged.path in story_paths
        if not dropped and not restoried:
            plan.add(table, staged.partition, staged.path, staged.rows)
            if table is tables.ERRORS:
                columns = ["stage"]
                plan.count_error_stages(
                    table_files.read_parquet(url, context.storage_options, columns)["stage"]
                )
            continue
        data = _filtered(
            table_files.read_parquet(url, context.storage_options), table.input_key, dropped
        )
        if restoried:
            data = _with_stories(data, story_changes)
            plan.counts["articles_joining_stories"] += sum(
                article_id in story_changes for article_id in data["article_id"].to_pylist()
            )
        if table is tables.ERRORS:
            plan.count_error_stages(data["stage"])
        if data.num_rows:
            _write_new_files(plan, context, table, staged.partition, data)


def _rewrite_existing(plan: Plan, snapshot: Snapshot, context: CommitContext, table, removals):
    """Existing files that hold replaced rows are rewritten without them; others stay."""
    for partition, keys in sorted(removals.items()):
        for file in snapshot.files_of(table.name, partition):
            present = table_files.read_live(
                snapshot, file.path, context.storage_options, [table.input_key]
            )
            if not pc.any(pc.is_in(present[table.input_key], pa.array(sorted(keys)))).as_py():
                continue
            kept = _filtered(
                table_files.read_live(snapshot, file.path, context.storage_options),
                table.input_key,
                keys,
            )
            plan.removed.append(file.path)
            plan.counts["files_rewritten"] += 1
            plan.counts[f"{table.name}_replaced"] += file.rows - kept.num_rows
            if kept.num_rows:
                _write_new_files(plan, context, table, partition, kept)
                plan.counts[table.name] -= kept.num_rows


def _duplicate_rows(decisions: Decisions, context: CommitContext, ingest_partition: str):
    rows = []
    for row, owner, stored in decisions.duplicates:
        where = "already in the dataset" if stored else "kept instead"
        rows.append(
            tables.ErrorRow(
                source_uri=row["source_uri"],
                stage=DUPLICATE_STAGE,
                error_class="DuplicateArticle",
                message=f"same text as {owner} (article_id {row['article_id']}), {where}",
                source_size=row["source_size"],
                sample="",
                source_modified=row["source_modified"],
                ingested_at=context.ingested_at,
                pipeline_version=tables.PIPELINE_VERSION,
            )
        )
        decisions.ledger_updates[row["source_uri"]] = (ERROR_OUTCOME, ingest_partition)
    return rows


def _new_ledger(staged_ledger: pa.Table, decisions: Decisions, version: int) -> pa.Table:
    """One ledger row per input this commit ingests, stamped with the commit's version."""
    records = []
    seen = set()
    for record in staged_ledger.to_pylist():
        uri = record["source_uri"]
        if uri in seen or uri in decisions.skipped_uris:
            continue
        seen.add(uri)
        if uri in decisions.ledger_updates:
            record["outcome"], record["partition"] = decisions.ledger_updates[uri]
            record["article_id"] = None
        record["commit_version"] = version
        records.append(record)
    return table_files.rows_table(tables.LEDGER, [_without_group(record) for record in records])


def _without_group(record: dict) -> dict:
    record.pop("_group", None)
    return record


PERSON_COLUMNS = ["entity_id", "name", "label"]


def _period_of_partition(partition: str | None) -> datetime.date | None:
    if partition in (None, tables.NULL_PARTITION):
        return None
    return link_people.period_of(datetime.date.fromisoformat(partition))


def _person_rows(data: pa.Table) -> list[tuple[str, str]]:
    people = data.filter(pc.equal(data["label"], "PERSON"))
    return list(zip(people["entity_id"].to_pylist(), people["name"].to_pylist(), strict=True))


def _stored_counts(snapshot: Snapshot, files, storage_options) -> dict:
    counts = {}
    for file in files:
        data = table_files.read_live(
            snapshot, file.path, storage_options, ["entity_id", "name", "articles"]
        )
        for entity_id, name, articles in zip(*data.to_pydict().values(), strict=True):
            counts[entity_id] = link_people.NameCount(name, articles)
    return counts


def _read_stored_people(snapshot: Snapshot, path: str, storage_options):
    """A reader of one committed `entities` file's PERSON columns."""
    return functools.partial(table_files.read_live, snapshot, path, storage_options, PERSON_COLUMNS)


def _update_person_names(plan: Plan, snapshot: Snapshot, context: CommitContext) -> None:
    """Rewrite `person_names` for every period (month) whose entities this commit changes.

    A period's counts change by the PERSON rows of the entity files the
    commit adds, less those of the files it removes (a rewritten file is both:
    the difference is its replaced rows), so the cost is the commit's own
    files plus one small file per period touched, however many files the
    period already holds. A period with entities but no counts yet (written
    before `person_names` existed) is counted from its entities once.
    """
    removed = set(plan.removed)
    options = context.storage_options
    entities = tables.ENTITIES.name
    added = defaultdict(list)  # period -> readers of the entity files this commit adds
    for file in plan.added:
        if file.file.table == entities:
            url = dataset_log.storage.join(context.output, file.staged)
            read = functools.partial(table_files.read_parquet, url, options, PERSON_COLUMNS)
            added[_period_of_partition(file.file.partition)].append(read)
    dropped, kept = defaultdict(list), defaultdict(list)  # the same, of stored files
    for file in snapshot.files_of(entities):
        readers = dropped if file.path in removed else kept
        readers[_period_of_partition(file.partition)].append(
            _read_stored_people(snapshot, file.path, options)
        )
    table = tables.PERSON_NAMES
    for period in sorted(added.keys() | dropped.keys(), key=lambda p: (p is None, p)):
        partition = tables.partition_value(period)
        stored = snapshot.files_of(table.name, partition)
        counts = _stored_counts(snapshot, stored, options)
        changes = [(1, read) for read in added[period]]
        if stored:
            changes += [(-1, read) for read in dropped[period]]
        else:
            changes += [(1, read) for read in kept[period]]
        for sign, read in changes:
            link_people.count_names(_person_rows(read()), sign, counts)
        plan.removed += [file.path for file in stored]
        rows = link_people.person_names_rows(counts)
        if rows:
            _write_new_files(plan, context, table, partition, table_files.rows_table(table, rows))


def _placeholders(plan: Plan, snapshot: Snapshot, context: CommitContext, ingest_partition):
    """Keep one empty typed file in a table with no rows (readers fail on an empty folder),
    and drop it once the table has rows."""
    removed = set(plan.removed)
    for table in tables.TABLES.values():
        live = [f for f in snapshot.files_of(table.name) if f.path not in removed]
        live += [a.file for a in plan.added if a.file.table == table.name]
        if any(file.rows for file in live):
            plan.removed += [file.path for file in live if not file.rows]
        elif not live:
            partition = ingest_partition if table is tables.ERRORS else tables.NULL_PARTITION
            staged = table_files.staged_path(context.run_id, table, partition)
            table_files.write_parquet(
                dataset_log.storage.join(context.output, staged),
                table.schema.empty_table(),
                context.storage_options,
            )
            plan.add(table, partition, staged, 0)


def plan_commit(snapshot: Snapshot, staged: list[StagedFile], context: CommitContext) -> Plan:
    """Everything commit `snapshot.version + 1` adds and removes for these staged files."""
    ingest_partition = context.ingested_at.date().isoformat()
    staged_ledger = _staged_table(context, staged, tables.LEDGER)
    current = _current_ledger(snapshot, context.storage_options)
    decisions = decide(staged_ledger, current, context.reprocess)
    plan = Plan()
    stories_joined = _story_changes(snapshot, context, staged, decisions)
    _add_staged(plan, context, staged, decisions.excluded, stories_joined)
    for table in DATA_TABLES:
        _rewrite_existing(plan, snapshot, context, table, decisions.removed_articles)
    _rewrite_existing(plan, snapshot, context, tables.ERRORS, decisions.removed_errors)
    duplicates = _duplicate_rows(decisions, context, ingest_partition)
    plan.errors_by_stage[DUPLICATE_STAGE] += len(duplicates)
    if duplicates:
        _write_new_files(
            plan,
            context,
            tables.ERRORS,
            ingest_partition,
            table_files.rows_table(tables.ERRORS, duplicates),
        )
    ledger = _new_ledger(staged_ledger, decisions, snapshot.version + 1)
    if ledger.num_rows:
        _write_new_files(plan, context, tables.LEDGER, None, ledger)
    plan.counts["skipped_already_ingested"] = decisions.skipped
    plan.counts["inputs_replaced"] = decisions.replaced
    plan.counts["duplicates_of_stored"] = len(decisions.duplicates)
    plan.counts["inputs_committed"] = ledger.num_rows
    _update_person_names(plan, snapshot, context)
    _placeholders(plan, snapshot, context, ingest_partition)
    return plan
