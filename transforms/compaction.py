"""Compaction: merge a partition's small files into fewer files, as one commit.

Frequent streaming windows and small scheduled runs add a few files per
partition each time; readers then open many small files. Compaction rewrites
every partition that has more than one file under `max_rows_per_file` rows
into files of up to that many rows, and the ledger into one row per input
(its newest), then commits the swap like any run (`dataset_log`). Rows are
never changed: only which file holds them.

Example: `articles/date=2018-10-23/` with 40 one-article files -> one file of
40 rows; the commit removes the 40 and adds the one.
"""

import dataclasses
import datetime
import time

import duckdb
import pyarrow as pa

from schemas import tables
from transforms import dataset_log, storage, table_files
from transforms.commit_plan import NEWEST_LEDGER_ROWS_SQL
from transforms.dataset_log import AddedFile, DataFile, Snapshot

# Staging folders of runs that died are removed once they are this old.
STAGING_MAX_AGE_HOURS = 24.0


@dataclasses.dataclass(frozen=True)
class CompactionResult:
    files_before: int
    files_after: int
    version: int | None


def _small_groups(snapshot: Snapshot, max_rows: int):
    """(table, partition, files) for every partition holding more than one small file."""
    groups = {}
    for file in snapshot.files.values():
        if file.rows < max_rows:
            groups.setdefault((file.table, file.partition), []).append(file)
    for (table, partition), files in sorted(groups.items(), key=lambda item: str(item[0])):
        if len(files) > 1:
            yield tables.COMMITTED_TABLES[table], partition, sorted(files, key=lambda f: f.path)


def _write(snapshot, table, partition, data: pa.Table, run_id, storage_options, max_rows):
    data = table_files.conform(table, data)
    added = []
    for chunk in table_files.row_chunks(data, max_rows):
        staged = table_files.staged_path(run_id, table, partition)
        table_files.write_parquet(snapshot.url(staged), chunk, storage_options)
        file = DataFile(table.name, partition, table_files.final_path(staged), chunk.num_rows)
        added.append(AddedFile(file, staged))
    return added


def _batches(snapshot: Snapshot, files, storage_options, max_rows: int):
    """The files' rows as tables of about one output file each, so memory stays bounded.

    Files written before a column was added lack it; concatenation fills it with
    NULLs and `_write` conforms the result to the table's schema."""
    pending, rows, size = [], 0, 0
    for file in files:
        data = table_files.read_live(snapshot, file.path, storage_options)
        pending.append(data)
        rows, size = rows + data.num_rows, size + data.nbytes
        if rows >= max_rows or size >= table_files.MAX_FILE_BYTES:
            yield pa.concat_tables(pending, promote_options="default")
            pending, rows, size = [], 0, 0
    if pending:
        yield pa.concat_tables(pending, promote_options="default")


def plan_compaction(snapshot: Snapshot, run_id: str, storage_options, max_rows: int):
    """(added, removed) that merge the small files of every partition."""
    added, removed = [], []
    for table, partition, files in _small_groups(snapshot, max_rows):
        if table is tables.LEDGER:
            # A uri's rows may sit in any ledger file: keep its newest across all of them.
            con = duckdb.connect()
            con.register(
                "ledger",
                pa.concat_tables(
                    table_files.read_live(snapshot, f.path, storage_options) for f in files
                ),
            )
            batches = [con.sql(NEWEST_LEDGER_ROWS_SQL.format(table="ledger")).to_arrow_table()]
        else:
            batches = _batches(snapshot, files, storage_options, max_rows)
        for data in batches:
            added += _write(snapshot, table, partition, data, run_id, storage_options, max_rows)
        removed += [file.path for file in files]
    return added, removed


def remove_stale_staging(output: str, storage_options, max_age_hours: float) -> int:
    """Delete staging folders of runs that stopped long ago; returns how many."""
    fs, root = storage.filesystem(storage.join(output, dataset_log.STAGING_DIR), storage_options)
    removed = 0
    cutoff = time.time() - max_age_hours * 3600
    for run_dir in storage.listdir(storage.join(output, dataset_log.STAGING_DIR), storage_options):
        path = f"{root.rstrip('/')}/{run_dir}"
        times = [storage.modified_time(info) for info in fs.find(path, detail=True).values()] or [
            storage.modified_time(fs.info(path))
        ]
        newest = max((moment for moment in times if moment), default=None)
        if newest is None or newest.timestamp() < cutoff:
            fs.rm(path, recursive=True)
            removed += 1
    return removed


def compact(
    output: str,
    storage_options=None,
    max_rows: int = 100_000,
    staging_max_age_hours: float = STAGING_MAX_AGE_HOURS,
) -> CompactionResult:
    """Merge small files as one commit, write a checkpoint, drop stale staging folders."""
    storage_options = dict(storage_options or {})
    run_id = f"compact-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}"
    before = dataset_log.load_snapshot(output, storage_options)

    def plan(snapshot):
        added, removed = plan_compaction(snapshot, run_id, storage_options, max_rows)
        if not removed:
            return None
        summary = {"files_removed": len(removed), "files_added": len(added)}
        return added, removed, summary, "compact", run_id

    record, after = dataset_log.commit_with_retries(output, plan, storage_options)
    if after.version:
        dataset_log.write_checkpoint(after, storage_options)
    remove_stale_staging(output, storage_options, staging_max_age_hours)
    return CompactionResult(
        files_before=len(before.files),
        files_after=len(after.files),
        version=record.version if record else None,
    )
