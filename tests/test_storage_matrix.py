"""The same pipeline over local disk, memory:// and a real fake-gcs-server gs://."""

import gzip

import pytest

from pipeline import main as pipeline_main
from tests.conftest import SEEDS, run_cli, table_contents
from transforms import storage

pytestmark = pytest.mark.slow


def _upload_seeds(base_url: str, options: dict, compress: bool = False) -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        data = seed.read_bytes()
        name = seed.name + (".gz" if compress else "")
        storage.write_atomically(
            storage.join(base_url, name), gzip.compress(data) if compress else data, options
        )


def _run(input_url: str, output: str, options: dict) -> dict:
    argv = ["--input", input_url, "--output", output]
    for key, value in options.items():
        argv += ["--storage_option", f"{key}={value}"]
    outcome = pipeline_main.run(argv)
    assert outcome.manifest["all_inputs_accounted"]
    return table_contents(output, options)


@pytest.fixture(scope="module")
def local_contents(tmp_path_factory):
    base = tmp_path_factory.mktemp("matrix")
    _upload_seeds(str(base / "in"), {})
    return _run(str(base / "in" / "*.txt"), str(base / "out"), {})


def test_local_run_has_every_table(local_contents):
    assert len(local_contents["articles"]) == 3
    assert local_contents["mentions"] and local_contents["entities"]


def test_memory_store_gives_identical_tables(local_contents):
    _upload_seeds("memory://matrix/in", {})
    assert _run("memory://matrix/in/*.txt", "memory://matrix/out", {}) == local_contents


def test_gcs_gives_identical_tables_from_gzipped_objects(local_contents, gcs_options):
    fs, _ = storage.filesystem("gs://news", gcs_options)
    fs.mkdir("news")
    _upload_seeds("gs://news/articles", gcs_options, compress=True)
    assert _run("gs://news/articles/*.txt.gz", "gs://news/out", gcs_options) == local_contents
    # Nothing half-written or temporary is left where readers look.
    assert not [path for path in fs.find("news/out") if ".inprogress" in path]


def test_command_line_against_the_emulator(gcs_options, tmp_path):
    fs, _ = storage.filesystem("gs://cli-news", gcs_options)
    fs.mkdir("cli-news")
    _upload_seeds("gs://cli-news/articles", gcs_options, compress=True)
    endpoint = f"endpoint_url={gcs_options['endpoint_url']}"
    options = ["--storage_option", endpoint, "--storage_option", "token=anon"]
    for expected in ("articles written         3", "skipped unchanged        3"):
        # The second run finds every object in the ledger and ingests nothing.
        completed = run_cli(
            "run",
            "--input",
            "gs://cli-news/articles/*.txt.gz",
            "--output",
            "gs://cli-news/out",
            *options,
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        assert expected in completed.stdout
    queried = run_cli(
        "sql",
        "gs://cli-news/out",
        *options,
        "--format",
        "csv",
        "SELECT dateline, count(*) AS n FROM articles GROUP BY 1 ORDER BY 1 NULLS LAST",
    )
    assert queried.returncode == 0, queried.stderr[-2000:]
    assert queried.stdout.splitlines() == ["dateline,n", "MOSCOW,2", ",1"]
