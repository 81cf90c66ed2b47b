"""The commit model's pure parts and DoFns, without running a pipeline."""

import datetime

import pyarrow as pa
import pytest
from apache_beam.transforms.window import GlobalWindow

from schemas import tables
from schemas.tables import NULL_PARTITION
from transforms import commit_plan, dataset_log, storage, table_files
from transforms.commit_plan import decide, ingested_fingerprints
from transforms.dataset_log import AddedFile, CommitConflict, DataFile
from transforms.errors import ErrorRecord
from transforms.write_dataset import StageRowsFn

MOMENT = datetime.datetime(2026, 11, 22, 6, tzinfo=datetime.UTC)


def _ledger(rows: list[dict], version: int = 0, group: str | None = None) -> pa.Table:
    records = []
    for row in rows:
        record = {
            "source_uri": row["uri"],
            "source_size": row.get("size", 10),
            "source_modified": row.get("modified", MOMENT),
            "source_generation": None,
            "article_id": row.get("article"),
            "outcome": "article" if row.get("article") else "error",
            "partition": row.get("partition", "2018-10-23"),
            "run_id": "r",
            "commit_version": version,
            "ingested_at": MOMENT,
        }
        records.append(record)
    data = table_files.rows_table(tables.LEDGER, records)
    if group is not None:
        data = data.append_column("_group", pa.array([group] * data.num_rows))
    return data


def test_an_unchanged_input_is_skipped_and_a_changed_one_replaces_its_rows():
    current = _ledger([{"uri": "a", "article": "A"}, {"uri": "b", "article": "B"}], version=1)
    staged = _ledger(
        [{"uri": "a", "article": "A"}, {"uri": "b", "article": "B2", "size": 11}], group="g"
    )
    decisions = decide(staged, current, reprocess=False)
    assert decisions.skipped_uris == {"a"}
    assert decisions.excluded["g"] == {"a", "A"}
    assert dict(decisions.removed_articles) == {"2018-10-23": {"B"}}
    assert decisions.replaced == 1 and not decisions.duplicates


def test_reprocess_replaces_even_unchanged_inputs():
    current = _ledger([{"uri": "a", "article": "A"}], version=1)
    decisions = decide(_ledger([{"uri": "a", "article": "A"}], group="g"), current, True)
    assert not decisions.skipped_uris
    assert dict(decisions.removed_articles) == {"2018-10-23": {"A"}}


def test_a_copy_of_a_stored_article_is_a_duplicate_of_its_owner():
    current = _ledger([{"uri": "b", "article": "A"}], version=1)
    staged = _ledger([{"uri": "a", "article": "A"}, {"uri": "c", "article": "C"}], group="g")
    decisions = decide(staged, current, reprocess=False)
    ((row, owner, stored),) = decisions.duplicates
    assert (row["source_uri"], owner, stored) == ("a", "b", True)
    assert decisions.excluded["g"] == {"a", "A"}


def test_within_one_commit_the_smallest_uri_keeps_the_article():
    staged = pa.concat_tables(
        [
            _ledger([{"uri": "z", "article": "A"}], group="g1"),
            _ledger([{"uri": "m", "article": "A"}], group="g2"),
        ]
    )
    decisions = decide(staged, _ledger([]), reprocess=False)
    ((row, owner, stored),) = decisions.duplicates
    assert (row["source_uri"], owner, stored) == ("z", "m", False)
    assert decisions.excluded == {"g1": {"z", "A"}}


def test_an_input_staged_twice_keeps_one_copy():
    staged = pa.concat_tables(
        [_ledger([{"uri": "a", "article": "A"}], group=g) for g in ("g1", "g2")]
    )
    decisions = decide(staged, _ledger([]), reprocess=False)
    assert decisions.excluded == {"g2": {"a", "A"}} and not decisions.duplicates


def test_stage_rows_fn_rolls_files_and_keys_every_row_to_its_bundle(tmp_path):
    fn = StageRowsFn(str(tmp_path), {}, "run-1", MOMENT, max_rows_per_file=1)
    fn.start_bundle()
    records = [
        ErrorRecord(f"file:///in/{name}", "decode_text", "EmptyContent", "file is empty", 0, "")
        for name in ("a.txt", "b.txt")
    ]
    window = GlobalWindow()
    rolled = [out.value for record in records for out in fn.process(record, window)]
    rolled += [out.value for out in fn.finish_bundle()]
    assert sorted((staged.table, staged.rows) for staged in rolled) == [
        ("errors", 1),
        ("errors", 1),
        ("ledger", 1),
        ("ledger", 1),
    ]
    assert len({staged.group for staged in rolled}) == 1
    for staged in rolled:
        assert staged.path.startswith("_dateline/staging/run-1/")
        data = table_files.read_parquet(str(tmp_path / staged.path))
        assert data.schema == tables.COMMITTED_TABLES[staged.table].schema


def test_stage_rows_fn_puts_copies_of_a_text_in_different_groups(tmp_path):
    fn = StageRowsFn(str(tmp_path), {}, "run-1", MOMENT, max_rows_per_file=100)
    fn.start_bundle()
    records = [
        ErrorRecord(f"file:///in/{name}", "decode_text", "EmptyContent", "file is empty", 0, "")
        for name in ("a.txt", "a.txt", "b.txt")
    ]
    window = GlobalWindow()
    rolled = [out.value for record in records for out in fn.process(record, window)]
    rolled += [out.value for out in fn.finish_bundle()]
    groups = {}
    for staged in rolled:
        if staged.table == "ledger":
            data = table_files.read_parquet(str(tmp_path / staged.path))
            groups.setdefault(staged.group, []).extend(data.column("source_uri").to_pylist())
    # The second copy of a.txt opens a second group; b.txt joins the first.
    assert sorted(sorted(uris) for uris in groups.values()) == [
        ["file:///in/a.txt"],
        ["file:///in/a.txt", "file:///in/b.txt"],
    ]


def test_the_second_writer_of_a_version_gets_a_conflict(tmp_path):
    output = str(tmp_path)
    snapshot = dataset_log.load_snapshot(output)
    file = DataFile("articles", "2018-10-23", "articles/date=2018-10-23/part-x.parquet", 1)
    added = [AddedFile(file, "_dateline/staging/r/articles/date=2018-10-23/part-x.parquet")]
    dataset_log.publish(snapshot, "r1", "ingest", added, [], {})
    with pytest.raises(CommitConflict):
        dataset_log.publish(snapshot, "r2", "ingest", [], [], {})
    reloaded = dataset_log.load_snapshot(output)
    assert (reloaded.version, list(reloaded.files)) == (1, [file.path])


def test_a_checkpoint_gives_the_same_snapshot_as_the_records(tmp_path):
    output = str(tmp_path)
    snapshot = dataset_log.load_snapshot(output)
    for index in range(3):
        file = DataFile(
            "errors", "2026-11-22", f"errors/ingest_date=2026-11-22/p{index}.parquet", 1
        )
        removed = [f"errors/ingest_date=2026-11-22/p{index - 1}.parquet"] if index else []
        record = dataset_log.publish(
            snapshot, "r", "ingest", [AddedFile(file, f"s{index}")], removed, {}
        )
        snapshot = dataset_log.apply(snapshot, record)
    dataset_log.write_checkpoint(snapshot)
    for name in storage.listdir(storage.join(output, dataset_log.LOG_DIR)):
        if name.startswith("0000") and not name.endswith("checkpoint.json"):
            storage.remove(storage.join(output, dataset_log.LOG_DIR, name))
    reloaded = dataset_log.load_snapshot(output)
    assert (reloaded.version, list(reloaded.files)) == (
        3,
        ["errors/ingest_date=2026-11-22/p2.parquet"],
    )


def test_exclusive_create_never_replaces(tmp_path):
    target = str(tmp_path / "log" / "1.json")
    storage.create_exclusive(target, b"first")
    with pytest.raises(FileExistsError):
        storage.create_exclusive(target, b"second")
    assert storage.read_bytes(target) == b"first"
    assert sorted(path.name for path in (tmp_path / "log").iterdir()) == ["1.json"]


def test_exclusive_create_never_replaces_on_gcs(gcs_options):
    fs, _ = storage.filesystem("gs://log-bucket", gcs_options)
    fs.mkdir("log-bucket")
    target = "gs://log-bucket/out/_dateline/log/1.json"
    storage.create_exclusive(target, b"first", gcs_options)
    with pytest.raises(FileExistsError):
        storage.create_exclusive(target, b"second", gcs_options)
    assert storage.read_bytes(target, gcs_options) == b"first"


def test_a_local_watch_commits_when_the_window_of_its_oldest_file_closes():
    from transforms.write_dataset import CommitSchedule

    schedule = CommitSchedule(start=100.0, window=10.0, last_poll_at=1000.0)
    assert schedule.window_end(100.0) == 110.0
    assert schedule.window_end(113.0) == 120.0
    assert schedule.window_end(119.99) == 120.0


def test_row_buffer_rolls_at_its_row_or_byte_limit_and_gives_sorted_typed_rows():
    rows = [
        tables.ErrorRow(f"file:///{name}", "read", "OSError", "m", 1, "", None, MOMENT, "v")
        for name in ("c", "a", "b")
    ]
    buffer = table_files.RowBuffer(tables.ERRORS, max_rows=3)
    for row in rows[:2]:
        buffer.append(row)
    assert not buffer.full
    buffer.append(rows[2])
    assert buffer.full
    data = buffer.to_table()
    assert data.schema == tables.ERRORS_SCHEMA
    assert data["source_uri"].to_pylist() == ["file:///a", "file:///b", "file:///c"]
    by_bytes = table_files.RowBuffer(tables.ERRORS, max_rows=1000, max_bytes=2_000)
    by_bytes.BATCH_ROWS = 10  # rows without a body count once converted to Arrow
    while not by_bytes.full:
        by_bytes.append(rows[0])
    assert 1 < by_bytes.rows < 1000


def test_a_file_of_a_commit_not_yet_rolled_forward_is_read_where_it_was_staged(tmp_path):
    output = str(tmp_path)
    staged = "_dateline/staging/r/_dateline/ledger/part-x.parquet"
    table_files.write_parquet(str(tmp_path / staged), tables.LEDGER_SCHEMA.empty_table(), {})
    file = DataFile("ledger", None, table_files.final_path(staged), 0)
    dataset_log.publish(
        dataset_log.load_snapshot(output), "r", "ingest", [AddedFile(file, staged)], [], {}
    )
    snapshot = dataset_log.load_snapshot(output)  # as after kill -9 right after the record
    assert table_files.read_live(snapshot, file.path).schema == tables.LEDGER_SCHEMA
    dataset_log.roll_forward(snapshot)
    assert table_files.read_live(snapshot, file.path).num_rows == 0
    assert not (tmp_path / staged).exists()


def _commit_ledger(snapshot, rows: list[dict], removed: list[str]):
    staged = f"_dateline/staging/r/_dateline/ledger/part-{snapshot.version}.parquet"
    data = _ledger(rows, version=snapshot.version + 1)
    table_files.write_parquet(dataset_log.storage.join(snapshot.output, staged), data, {})
    file = DataFile("ledger", None, table_files.final_path(staged), data.num_rows)
    record = dataset_log.publish(snapshot, "r", "ingest", [AddedFile(file, staged)], removed, {})
    dataset_log.roll_forward(dataset_log.load_snapshot(snapshot.output))
    return dataset_log.load_snapshot(snapshot.output), record


def test_a_streaming_worker_reads_each_ledger_file_once_and_forgets_removed_ones(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(commit_plan._LEDGER_FILES, "enabled", True)
    reads = []
    real_read = table_files.read_live
    monkeypatch.setattr(
        table_files,
        "read_live",
        lambda snapshot, path, *a: reads.append(path) or real_read(snapshot, path, *a),
    )
    snapshot = dataset_log.load_snapshot(str(tmp_path))
    snapshot, _ = _commit_ledger(snapshot, [{"uri": "a", "article": "A"}], [])
    assert set(ingested_fingerprints(snapshot)) == {"a"}
    snapshot, _ = _commit_ledger(snapshot, [{"uri": "b", "article": "B"}], [])
    assert set(ingested_fingerprints(snapshot)) == {"a", "b"}
    assert len(reads) == 2  # the first file was not read again
    # A compaction-like commit replaces both files with one holding only `b`.
    first, second = (file.path for file in snapshot.files_of("ledger"))
    snapshot, _ = _commit_ledger(snapshot, [{"uri": "b", "article": "B"}], [first, second])
    assert set(ingested_fingerprints(snapshot)) == {"b"}
    assert len(reads) == 3


def _first_commit_of_an_errors_file(output: str) -> None:
    staged = "_dateline/staging/r/errors/ingest_date=2026-11-22/part-x.parquet"
    table_files.write_parquet(storage.join(output, staged), tables.ERRORS_SCHEMA.empty_table(), {})
    file = DataFile("errors", "2026-11-22", table_files.final_path(staged), 0)
    dataset_log.publish(
        dataset_log.load_snapshot(output), "r", "ingest", [AddedFile(file, staged)], [], {}
    )
    dataset_log.roll_forward(dataset_log.load_snapshot(output))


def test_a_reader_racing_the_first_commit_sees_it_not_a_legacy_dataset(tmp_path, monkeypatch):
    output = str(tmp_path)
    _first_commit_of_an_errors_file(output)
    real_read = dataset_log._read_json
    late = {"record": True}

    def read_before_the_record_landed(url, storage_options):
        # The reader looks for record 1 just before the writer publishes it and
        # rolls its files into place; it then lists the tables and finds them.
        if url.endswith(dataset_log._record_name(1)) and late.pop("record", False):
            return None
        return real_read(url, storage_options)

    monkeypatch.setattr(dataset_log, "_read_json", read_before_the_record_landed)
    assert dataset_log.load_snapshot(output).version == 1


def test_tables_with_no_commit_log_are_a_legacy_dataset(tmp_path):
    legacy = tmp_path / "errors" / "ingest_date=2026-11-22" / "part-0.parquet"
    table_files.write_parquet(str(legacy), tables.ERRORS_SCHEMA.empty_table(), {})
    with pytest.raises(dataset_log.LegacyDatasetError, match="dateline 0.1"):
        dataset_log.load_snapshot(str(tmp_path))


def test_rows_of_a_file_written_before_a_column_was_added_get_nulls_there():
    current = tables.ARTICLES_SCHEMA
    older = pa.schema([field for field in current if field.name != "control_chars_removed"])
    assert table_files.conform(tables.ARTICLES, older.empty_table()).schema == current
    row = tables.ErrorRow("file:///a", "read", "OSError", "m", 1, "", MOMENT, MOMENT, "v")
    errors = table_files.rows_table(tables.ERRORS, [row]).drop_columns(["source_modified"])
    conformed = table_files.conform(tables.ERRORS, errors)
    assert conformed.schema == tables.ERRORS_SCHEMA
    assert conformed["source_modified"].to_pylist() == [None]


def _article(article_id: str) -> tables.ArticleRow:
    return tables.ArticleRow(
        article_id, f"file:///{article_id}", 10, MOMENT, "utf-8", "T", "T", None, None, None,
        None, [], None, None, "none", "Body.", 1, 0, 0, MOMENT, "v", 0,
    )  # fmt: skip


def test_compaction_merges_files_written_before_a_column_was_added(tmp_path):
    from transforms import compaction

    output = str(tmp_path)
    added = []
    for name, drop in (("old", ["control_chars_removed"]), ("new", [])):
        staged = f"_dateline/staging/r/articles/date={NULL_PARTITION}/part-{name}.parquet"
        data = table_files.rows_table(tables.ARTICLES, [_article(name)]).drop_columns(drop)
        table_files.write_parquet(storage.join(output, staged), data, {})
        file = DataFile("articles", NULL_PARTITION, table_files.final_path(staged), 1)
        added.append(AddedFile(file, staged))
    dataset_log.publish(dataset_log.load_snapshot(output), "r", "ingest", added, [], {})
    snapshot = dataset_log.load_snapshot(output)
    dataset_log.roll_forward(snapshot)
    merged, removed = compaction.plan_compaction(snapshot, "c", {}, max_rows=100)
    assert len(merged) == 1 and len(removed) == 2
    data = table_files.read_parquet(storage.join(output, merged[0].staged))
    assert data.schema == tables.ARTICLES_SCHEMA
    removed_by_id = data.select(["article_id", "control_chars_removed"]).to_pylist()
    assert removed_by_id == [
        {"article_id": "new", "control_chars_removed": 0},
        {"article_id": "old", "control_chars_removed": None},
    ]
