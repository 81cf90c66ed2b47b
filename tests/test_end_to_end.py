"""The CLI end to end over seeds/ and messy inputs, read back with DuckDB."""

import datetime
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, SEEDS, copy_seeds, parquet_rows, run_cli, table_contents

pytestmark = pytest.mark.slow

SEED_002_TITLE = (
    "RPT: REVIEW - Russia, US Agree To Revive Inter-Ministerial Ties, "
    "Although Disagreements Remain In Place"
)


def _articles_by_seed(output):
    rows = parquet_rows(output, "articles")
    return {row["source_uri"].rsplit("/", 1)[1][:3]: row for row in rows}


def test_seeds_give_three_articles_with_their_headers(seeds_run):
    _, output, _ = seeds_run
    articles = _articles_by_seed(output)
    assert sorted(articles) == ["000", "001", "002"]

    seed_002 = articles["002"]
    assert seed_002["title"] == SEED_002_TITLE
    assert seed_002["dateline"] == "MOSCOW"
    assert seed_002["agencies"] == ["Pakistan Point News", "Sputnik"]
    assert seed_002["published_date"] == datetime.date(2018, 8, 24)
    assert str(seed_002["date"]) == "2018-08-24"

    seed_001 = articles["001"]
    assert seed_001["published_date"] == datetime.date(2018, 10, 23)
    assert seed_001["body"].startswith("Syria is now")

    seed_000 = articles["000"]
    assert seed_000["dateline"] == "MOSCOW"
    assert seed_000["agencies"] == ["TASS"]
    assert seed_000["published_date"] == datetime.date(2018, 10, 23)
    assert seed_000["date_source"] == "dateline+reference"


def test_no_mention_holds_header_material(seeds_run):
    _, output, _ = seeds_run
    texts = [row["text"] for row in parquet_rows(output, "mentions")]
    assert texts
    for header_fragment in ("REVIEW", "Pakistan Point News / Sputnik - 24th", "2018-10-23", "TASS"):
        assert not [text for text in texts if header_fragment in text], header_fragment


def test_every_mention_points_into_its_article_body(seeds_run):
    _, output, _ = seeds_run
    rows = parquet_rows(
        output,
        "mentions",
        "SELECT t.text, t.start_char, t.end_char, a.body FROM t JOIN read_parquet("
        f"'{output}/articles/**/*.parquet', hive_partitioning=true) a USING (article_id)",
    )
    assert len(rows) == len(parquet_rows(output, "mentions"))
    for row in rows:
        assert row["body"][row["start_char"] : row["end_char"]] == row["text"]


def test_duckdb_counts_and_summary(seeds_run):
    _, output, completed = seeds_run
    (count,) = parquet_rows(output, "articles", "SELECT count(*) AS n FROM t")
    assert count["n"] == 3
    assert "articles written         3" in completed.stdout
    assert "errors                   0" in completed.stdout
    (manifest_path,) = (output / "_runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["input_files"] == 3
    assert manifest["all_inputs_accounted"] is True
    assert manifest["rows"]["mentions"] == len(parquet_rows(output, "mentions"))


def test_empty_errors_table_is_still_readable(seeds_run):
    _, output, _ = seeds_run
    assert parquet_rows(output, "errors", "SELECT count(*) AS n, any_value(stage) AS s FROM t") == [
        {"n": 0, "s": None}
    ]


def _table_counts(output):
    return {
        table: parquet_rows(output, table, "SELECT count(*) AS n FROM t")[0]["n"]
        for table in ("articles", "mentions", "entities", "errors")
    }


def test_running_twice_leaves_the_same_rows(seeds_run, tmp_path):
    inputs, first_output, _ = seeds_run
    output = tmp_path / "out"
    for _ in range(2):
        completed = run_cli("run", "--input", str(inputs / "*.txt"), "--output", str(output))
        assert completed.returncode == 0, completed.stderr[-2000:]
    assert _table_counts(output) == _table_counts(first_output)
    assert len(list((output / "_runs").glob("*.json"))) == 2


def test_overlapping_runs_give_the_tables_of_one_run_over_all_inputs(seeds_run, tmp_path):
    """A nightly run over a growing folder refreshes old rows instead of copying them."""
    inputs, _, _ = seeds_run
    bad_input = str(SEEDS.parent / "tests" / "data" / "bad-input")
    union = tmp_path / "union"
    assert (
        run_cli(
            "run", "--input", str(inputs), "--input", bad_input, "--output", str(union)
        ).returncode
        == 0
    )

    output = tmp_path / "out"
    runs = [
        [str(inputs / "002_d75993ab0ea988bf.txt")],
        [str(inputs)],
        [str(inputs), bad_input],
        [str(inputs / "000_ecb1709d6c659af1.txt")],
    ]
    for run_inputs in runs:
        argv = [arg for path in run_inputs for arg in ("--input", path)]
        completed = run_cli("run", *argv, "--output", str(output))
        assert completed.returncode == 0, completed.stderr[-2000:]
    assert table_contents(output) == table_contents(union)
    assert _table_counts(output)["articles"] == 4


def test_bad_files_become_error_rows_and_the_rest_is_written(tmp_path):
    inputs = copy_seeds(tmp_path / "in")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (inputs / "zurich.txt").write_bytes(
        "ZÜRICH, Feb 3 - Die Schweizerische Nationalbank hat am Montag in Zürich "
        "ihren Leitzins unverändert gelassen, sagte Präsident Thomas Jordan.".encode("latin-1")
    )
    output = tmp_path / "out"
    completed = run_cli("run", "--input", str(inputs), "--output", str(output))
    assert completed.returncode == 0, completed.stderr[-2000:]

    errors = {row["source_uri"].rsplit("/", 1)[1]: row for row in parquet_rows(output, "errors")}
    assert sorted(errors) == ["empty.txt", "logo.png"]
    assert errors["empty.txt"]["error_class"] == "EmptyContent"
    assert errors["logo.png"]["error_class"] == "BinaryContent"
    assert "PNG" in errors["logo.png"]["message"]
    assert errors["logo.png"]["sample"].startswith("\\x89PNG")

    articles = {
        row["source_uri"].rsplit("/", 1)[1]: row for row in parquet_rows(output, "articles")
    }
    assert len(articles) == 4
    assert "unverändert" in articles["zurich.txt"]["body"]
    assert articles["zurich.txt"]["encoding"] not in {"utf-8", "utf-8-sig"}
    assert len(articles) + len(errors) == 6


def test_an_input_without_files_still_writes_typed_empty_tables(tmp_path):
    output = tmp_path / "out"
    completed = run_cli(
        "run", "--input", str(tmp_path / "nothing-*.txt"), "--output", str(output), "--allow_empty"
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert _table_counts(output) == {"articles": 0, "mentions": 0, "entities": 0, "errors": 0}
    assert "WARNING: no file matched --input" in completed.stdout
    (row,) = parquet_rows(
        output, "articles", "SELECT typeof(published_date) AS t FROM t UNION ALL SELECT 'DATE'"
    )
    assert row == {"t": "DATE"}


@pytest.mark.parametrize(
    "runner_options",
    [
        ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
        # Beam's own job service: the same job API Flink and Spark runners expose.
        ["--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK"],
    ],
    ids=["multi-process", "portable"],
)
def test_other_runners_give_the_same_tables(seeds_run, tmp_path, runner_options):
    inputs, first_output, _ = seeds_run
    output = tmp_path / "out"
    completed = run_cli(
        "run", "--input", str(inputs / "*.txt"), "--output", str(output), *runner_options
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert table_contents(output) == table_contents(first_output)


def test_python_dash_m_pipeline_main_is_the_same_command(tmp_path):
    import subprocess

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.main",
            "--input",
            str(SEEDS / "002_*.txt"),
            "--output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "articles written         1" in completed.stdout


def test_help_documents_every_option_with_its_default():
    completed = run_cli("run", "--help")
    assert completed.returncode == 0
    for flag in (
        "--input",
        "--output",
        "--storage_option",
        "--batch_size",
        "--num_shards",
        "--model",
        "--run_id",
        "--runner",
        "--reprocess",
        "--max_rows_per_file",
        "--streaming",
        "--poll_interval",
        "--window",
        "--stop_after",
    ):
        assert flag in completed.stdout
    assert "Default: 64" in completed.stdout


def test_missing_output_is_a_clear_error():
    completed = run_cli("run", "--input", "seeds/*.txt")
    assert completed.returncode == 2
    assert "--output is required" in completed.stderr


def test_inspect_shows_fields_date_source_and_body_start(tmp_path):
    completed = run_cli(
        "inspect", str(SEEDS / "000_ecb1709d6c659af1.txt"), "--reference", "2018-10-24T09:30Z"
    )
    assert completed.returncode == 0, completed.stderr
    lines = dict(line.split(None, 1) for line in completed.stdout.splitlines())
    assert lines["dateline"] == "'MOSCOW'"
    assert lines["agencies"] == "TASS"
    assert lines["published_date"] == "2018-10-23"
    assert lines["date_source"] == "'dateline+reference'"
    assert lines["body_start"].startswith("'Russian Defense Minister")
    assert lines["control_chars_removed"] == "0"


def test_a_reader_that_stops_early_ends_the_command_quietly():
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "inspect", str(SEEDS / "000_ecb1709d6c659af1.txt")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # as `| head` does once it has its lines
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (141, b"")


def test_inspect_json_and_a_binary_file(tmp_path):
    picture = tmp_path / "logo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    completed = run_cli("inspect", str(picture))
    assert completed.returncode == 2
    assert "binary file (PNG image)" in completed.stderr
    completed = run_cli("inspect", str(SEEDS / "002_d75993ab0ea988bf.txt"), "--json")
    report = json.loads(completed.stdout)
    assert report["agencies"] == ["Pakistan Point News", "Sputnik"]
    assert report["date_source"] == "header"


def test_dataflow_dry_run_builds_the_whole_job_graph_offline():
    completed = run_cli(
        "run",
        "--input",
        "gs://news-bucket/articles/*.txt",
        "--output",
        "gs://news-bucket/out",
        "--runner=DataflowRunner",
        "--project=dateline-test",
        "--region=us-central1",
        "--temp_location=gs://news-bucket/tmp",
        "--setup_file=./setup.py",
        "--dry_run=True",
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "job graph built and validated" in completed.stdout
