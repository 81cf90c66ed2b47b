"""The dataset's commit log: which Parquet files make up each table, version by version.

A dataset is its tables' folders plus `_dateline/`:

    articles/date=2018-08-24/part-<uuid>.parquet     data files, immutable once committed
    _dateline/staging/<run_id>/...                   files written by workers, not yet committed
    _dateline/ledger/part-<uuid>.parquet             the ledger of ingested inputs (a table too)
    _dateline/log/00000000000000000007.json          commit 7: files added and removed
    _dateline/log/00000000000000000025.checkpoint.json   every live file at version 25
    _dateline/log/_last_checkpoint                   the newest checkpoint's version

Commit N is the file `log/<N>.json`, published with a create-if-absent
(`storage.create_exclusive`): of two writers racing for one version exactly
one wins, the other re-plans on the new snapshot and tries N+1. A commit's
data files were written to staging first; after its record is published they
are moved into the table folders and the files it replaces are deleted
("rolled forward"). Every writer rolls the newest commit forward before it
plans the next one, so a crash at any point leaves either no commit (its
staged files are garbage under `_dateline/staging/`, invisible to table
globs) or a commit that the next writer finishes.

Example: `load_snapshot("out").files_of("articles")` lists the `DataFile`s a
reader should see; `dateline sql` reads exactly those.
"""

import dataclasses
import datetime
import json
import logging
import random
import time

from transforms import storage

DATELINE_DIR = "_dateline"
LOG_DIR = f"{DATELINE_DIR}/log"
STAGING_DIR = f"{DATELINE_DIR}/staging"
LAST_CHECKPOINT = "_last_checkpoint"
CHECKPOINT_INTERVAL = 25
VERSION_DIGITS = 20
LOG_FORMAT = 1


class LegacyDatasetError(ValueError):
    """The output holds tables written before the commit log existed (dateline 0.1)."""


class CommitConflict(RuntimeError):
    """Another writer published this version first."""


@dataclasses.dataclass(frozen=True)
class DataFile:
    """One committed Parquet file; `path` is relative to the output root."""

    table: str
    partition: str | None
    path: str
    rows: int

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class AddedFile:
    """A file a commit adds: where it was staged and where readers find it."""

    file: DataFile
    staged: str

    def as_json(self) -> dict:
        return {**self.file.as_json(), "staged": self.staged}

    @classmethod
    def from_json(cls, data: dict) -> "AddedFile":
        staged = data.pop("staged")
        return cls(DataFile(**data), staged)


@dataclasses.dataclass(frozen=True)
class CommitRecord:
    version: int
    run_id: str
    operation: str
    added: tuple[AddedFile, ...]
    removed: tuple[str, ...]
    summary: dict
    committed_at: str = ""

    def as_json(self) -> dict:
        return {
            "format": LOG_FORMAT,
            "version": self.version,
            "run_id": self.run_id,
            "operation": self.operation,
            "committed_at": self.committed_at,
            "added": [added.as_json() for added in self.added],
            "removed": list(self.removed),
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, data: dict) -> "CommitRecord":
        return cls(
            version=data["version"],
            run_id=data["run_id"],
            operation=data["operation"],
            added=tuple(AddedFile.from_json(dict(item)) for item in data["added"]),
            removed=tuple(data["removed"]),
            summary=data.get("summary", {}),
            committed_at=data.get("committed_at", ""),
        )


@dataclasses.dataclass
class Snapshot:
    """The live files at one version; `latest` is the newest commit, possibly not rolled forward."""

    output: str
    version: int
    files: dict[str, DataFile]
    latest: CommitRecord | None = None

    def files_of(self, table: str, partition: str | None = None) -> list[DataFile]:
        return sorted(
            (
                file
                for file in self.files.values()
                if file.table == table and (partition is None or file.partition == partition)
            ),
            key=lambda file: file.path,
        )

    def url(self, path: str) -> str:
        return storage.join(self.output, path)

    def staged_of(self, path: str) -> str | None:
        """Where a file of the newest commit was staged, if it is one."""
        if self.latest is not None:
            for added in self.latest.added:
                if added.file.path == path:
                    return added.staged
        return None

    def readable_url(self, path: str, storage_options=None) -> str:
        """Where a reader finds a live file now: a file of the newest commit may still be staged."""
        staged = self.staged_of(path)
        if staged is not None and not storage.exists(self.url(path), storage_options):
            return self.url(staged)
        return self.url(path)


def _record_name(version: int) -> str:
    return f"{version:0{VERSION_DIGITS}d}.json"


def _checkpoint_name(version: int) -> str:
    return f"{version:0{VERSION_DIGITS}d}.checkpoint.json"


def _log_url(output: str, name: str) -> str:
    return storage.join(output, LOG_DIR, name)


def _read_json(url: str, storage_options) -> dict | None:
    try:
        return json.loads(storage.read_bytes(url, storage_options))
    except FileNotFoundError:
        return None


def has_log(output: str, storage_options=None) -> bool:
    return bool(storage.listdir(storage.join(output, LOG_DIR), storage_options))


def _holds_unlogged_tables(output: str, storage_options) -> bool:
    from schemas import tables

    return any(
        storage.glob(storage.join(output, table.folder, "*", "*.parquet"), storage_options)
        for table in tables.TABLES.values()
    )


def _has_commits(output: str, storage_options) -> bool:
    return any(
        storage.exists(_log_url(output, name), storage_options)
        for name in (LAST_CHECKPOINT, _record_name(1))
    )


def load_snapshot(output: str, storage_options=None, check_legacy: bool = True) -> Snapshot:
    """The newest version of the dataset at `output` (version 0: nothing committed yet)."""
    pointer = _read_json(_log_url(output, LAST_CHECKPOINT), storage_options)
    version, files = 0, {}
    if pointer is not None:
        checkpoint = _read_json(
            _log_url(output, _checkpoint_name(pointer["version"])), storage_options
        )
        if checkpoint is not None:
            version = checkpoint["version"]
            files = {item["path"]: DataFile(**item) for item in checkpoint["files"]}
    latest = None
    while True:
        data = _read_json(_log_url(output, _record_name(version + 1)), storage_options)
        if data is None:
            break
        latest = CommitRecord.from_json(data)
        for path in latest.removed:
            files.pop(path, None)
        for added in latest.added:
            files[added.file.path] = added.file
        version = latest.version
    if version == 0 and check_legacy and _holds_unlogged_tables(output, storage_options):
        if _has_commits(output, storage_options):
            # A first commit landed between reading the log and listing the tables.
            return load_snapshot(output, storage_options, check_legacy)
        raise LegacyDatasetError(
            f"{output} holds tables written by dateline 0.1 (no {LOG_DIR}/); "
            "`dateline sql` still reads it; to keep ingesting incrementally, run into a "
            "new --output (with --reprocess over the old inputs)"
        )
    if latest is None and version > 0:
        # The newest commit is the checkpoint's; its record still says what to roll forward.
        data = _read_json(_log_url(output, _record_name(version)), storage_options)
        latest = CommitRecord.from_json(data) if data is not None else None
    return Snapshot(output=output, version=version, files=files, latest=latest)


def roll_forward(snapshot: Snapshot, storage_options=None) -> None:
    """Finish the newest commit: move its staged files into place, delete what it replaced.

    Idempotent, so any number of writers (or a rerun after kill -9) may do it.
    """
    record = snapshot.latest
    if record is None:
        return
    for added in record.added:
        staged, final = snapshot.url(added.staged), snapshot.url(added.file.path)
        if storage.exists(staged, storage_options):
            storage.move(staged, final, storage_options)
    for path in record.removed:
        storage.remove(snapshot.url(path), storage_options)


def publish(
    snapshot: Snapshot,
    run_id: str,
    operation: str,
    added: list[AddedFile],
    removed: list[str],
    summary: dict,
    storage_options=None,
) -> CommitRecord:
    """Publish commit `snapshot.version + 1`, or raise CommitConflict if another writer did."""
    record = CommitRecord(
        version=snapshot.version + 1,
        run_id=run_id,
        operation=operation,
        added=tuple(added),
        removed=tuple(removed),
        summary=summary,
        committed_at=datetime.datetime.now(datetime.UTC).isoformat(),
    )
    data = json.dumps(record.as_json(), indent=1, sort_keys=True).encode("utf-8")
    try:
        storage.create_exclusive(
            _log_url(snapshot.output, _record_name(record.version)), data, storage_options
        )
    except FileExistsError:
        raise CommitConflict(f"version {record.version} was committed by another writer") from None
    return record


def apply(snapshot: Snapshot, record: CommitRecord) -> Snapshot:
    """The snapshot after `record`, without reading the log again."""
    files = dict(snapshot.files)
    for path in record.removed:
        files.pop(path, None)
    for added in record.added:
        files[added.file.path] = added.file
    return Snapshot(snapshot.output, record.version, files, record)


def write_checkpoint(snapshot: Snapshot, storage_options=None) -> None:
    """Every live file at `snapshot.version`, so loading reads a bounded number of records."""
    body = {
        "format": LOG_FORMAT,
        "version": snapshot.version,
        "files": [file.as_json() for file in snapshot.files.values()],
    }
    storage.write_atomically(
        _log_url(snapshot.output, _checkpoint_name(snapshot.version)),
        json.dumps(body).encode("utf-8"),
        storage_options,
    )
    storage.write_atomically(
        _log_url(snapshot.output, LAST_CHECKPOINT),
        json.dumps({"version": snapshot.version}).encode("utf-8"),
        storage_options,
    )


def _is_stale(snapshot: Snapshot, storage_options) -> bool:
    next_record = _log_url(snapshot.output, _record_name(snapshot.version + 1))
    return storage.exists(next_record, storage_options)


def read_newest(output: str, read, storage_options=None, attempts: int = 20):
    """`read(snapshot)` on the newest snapshot, again if a concurrent commit removed a file."""
    for _ in range(attempts - 1):
        snapshot = load_snapshot(output, storage_options)
        try:
            return read(snapshot)
        except FileNotFoundError:
            if not _is_stale(snapshot, storage_options):
                raise
    return read(load_snapshot(output, storage_options))


def commit_with_retries(output: str, plan, storage_options=None, attempts: int = 50):
    """Load, roll forward, plan and publish until a version is won; returns (record, snapshot).

    `plan(snapshot)` returns (added, removed, summary, operation, run_id) or None
    for nothing to commit; it runs again on the new snapshot after a conflict,
    which is how two concurrent runs both commit without duplicating rows.
    """
    for attempt in range(attempts):
        snapshot = load_snapshot(output, storage_options)
        roll_forward(snapshot, storage_options)
        try:
            planned = plan(snapshot)
        except FileNotFoundError:
            # A concurrent commit removed a file this plan read: plan on its snapshot.
            if not _is_stale(snapshot, storage_options):
                raise
            continue
        if planned is None:
            return None, snapshot
        added, removed, summary, operation, run_id = planned
        try:
            record = publish(snapshot, run_id, operation, added, removed, summary, storage_options)
        except CommitConflict as conflict:
            logging.info("commit conflict (%s), re-planning; attempt %d", conflict, attempt + 1)
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
            continue
        committed = apply(snapshot, record)
        roll_forward(committed, storage_options)
        if record.version % CHECKPOINT_INTERVAL == 0:
            write_checkpoint(committed, storage_options)
        return record, committed
    raise CommitConflict(f"gave up after {attempts} conflicting commits on {output}")
