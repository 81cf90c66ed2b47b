"""Reading and writing the dataset's Parquet files, and where staged files go.

Example: `staged_path("run-1", tables.ARTICLES, "2018-08-24")` ->
`_dateline/staging/run-1/articles/date=2018-08-24/part-<uuid>.parquet`, which
the commit moves to `articles/date=2018-08-24/part-<uuid>.parquet`.
"""

import io
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import tables
from transforms import storage
from transforms.dataset_log import STAGING_DIR


def staged_path(run_id: str, table: tables.Table, partition: str | None) -> str:
    """A new, unique staging path (relative to the output root) for one file of `table`."""
    folder = tables.partition_folder(table, partition)
    return f"{STAGING_DIR}/{run_id}/{folder}/part-{uuid.uuid4().hex}.parquet"


def final_path(staged: str) -> str:
    """Where a staged file goes on commit: the same name under its table folder."""
    prefix, _, rest = staged.partition(f"{STAGING_DIR}/")
    if prefix or not rest:
        raise ValueError(f"not a staging path: {staged}")
    return rest.split("/", 1)[1]


def write_parquet(url: str, table: pa.Table, storage_options=None) -> None:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    storage.write_atomically(url, buffer.getvalue(), storage_options)


def read_parquet(url: str, storage_options=None, columns: list[str] | None = None) -> pa.Table:
    # Bytes first: pyarrow reading through a Python fsspec handle can abort the
    # interpreter at exit (arrow issue 39162).
    return pq.read_table(io.BytesIO(storage.read_bytes(url, storage_options)), columns=columns)


def read_live(snapshot, path: str, storage_options=None, columns=None) -> pa.Table:
    """A live file of `snapshot`, wherever it is now: a file of the newest commit
    may still be staged (its writer died before moving it), or be moved meanwhile."""
    try:
        return read_parquet(snapshot.url(path), storage_options, columns)
    except FileNotFoundError:
        staged = snapshot.staged_of(path)
        if staged is None:
            raise
    try:
        return read_parquet(snapshot.url(staged), storage_options, columns)
    except FileNotFoundError:
        return read_parquet(snapshot.url(path), storage_options, columns)


def conform(table: tables.Table, data: pa.Table) -> pa.Table:
    """`data` with exactly `table`'s columns and types, rows in `sort_key` order;
    a column added to the schema after `data` was written is filled with NULLs."""
    for field in table.schema:
        if field.name not in data.column_names:
            data = data.append_column(field.name, pa.nulls(data.num_rows, field.type))
    data = data.select(table.schema.names).cast(table.schema)
    if data.num_rows > 1:
        data = data.sort_by([(column, "ascending") for column in table.sort_key])
    return data


# Files also roll at about this many bytes in memory, so that a table of long
# bodies (articles) does not make files, or the memory to write them, huge.
MAX_FILE_BYTES = 64 * 2**20
# What a worker holds per open staged file before it rolls, smaller than a compacted
# file: a stager of 10x the BBC corpus peaked 246 MiB above its start at 64 MiB and
# 121 MiB at 16 MiB (1x: 71 MiB). `dateline compact` merges them into MAX_FILE_BYTES.
STAGED_FILE_BYTES = 16 * 2**20


def row_chunks(data: pa.Table, max_rows: int, max_bytes: int = MAX_FILE_BYTES):
    """Slices of `data` of at most `max_rows` rows and about `max_bytes` each."""
    if not data.num_rows:
        return
    bytes_per_row = max(data.nbytes / data.num_rows, 1)
    step = max(1, min(max_rows, int(max_bytes / bytes_per_row)))
    for start in range(0, data.num_rows, step):
        yield data.slice(start, step)


def rows_table(table: tables.Table, rows) -> pa.Table:
    return pa.Table.from_batches([tables.to_record_batch(table, rows)], schema=table.schema)


class RowBuffer:
    """Rows of one table on their way to a file, kept as Arrow batches.

    Python row objects take several times the memory of their Arrow form, so
    they are converted every `BATCH_ROWS`; `full` says when the file should roll.
    """

    BATCH_ROWS = 2_000

    def __init__(self, table: tables.Table, max_rows: int, max_bytes: int = MAX_FILE_BYTES):
        self._table = table
        self._max_rows = max_rows
        self._max_bytes = max_bytes
        self._pending = []
        self._batches = []
        self._bytes = 0
        self._pending_text = 0
        self.rows = 0

    def append(self, row) -> None:
        self._pending.append(row)
        # Text in pending rows counts before conversion, so long bodies roll too.
        self._pending_text += len(getattr(row, "body", ""))
        self.rows += 1
        if len(self._pending) >= self.BATCH_ROWS:
            self._convert()

    def _convert(self) -> None:
        if self._pending:
            batch = tables.to_record_batch(self._table, self._pending)
            self._batches.append(batch)
            self._bytes += batch.nbytes
            self._pending, self._pending_text = [], 0

    @property
    def full(self) -> bool:
        return self.rows >= self._max_rows or self._bytes + self._pending_text >= self._max_bytes

    def to_table(self) -> pa.Table:
        self._convert()
        return conform(self._table, pa.Table.from_batches(self._batches, schema=self._table.schema))
