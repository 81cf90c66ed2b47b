"""Shared fixtures: the seed articles and one end-to-end CLI run over them."""

import datetime
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
# The BBC News corpus beside the checkout (CI places the clone there too).
BBC = REPO.parent / "shared" / "corpus" / "bbc"

# Seed 000 has a year-less dateline (`MOSCOW, October 23.`); its year comes
# from the file's modified time, which a fresh clone sets to "now".
SEED_000_MODIFIED = datetime.datetime(2018, 10, 24, 9, 30, tzinfo=datetime.UTC)


def bbc_files(count: int, category: str = "business") -> list[Path]:
    return sorted((BBC / category).glob("*.txt"))[:count]


def bbc_folder(folder: Path, count: int, category: str = "business") -> Path:
    """A folder of the first `count` BBC stories of `category`, as an input."""
    folder.mkdir(parents=True, exist_ok=True)
    for file in bbc_files(count, category):
        shutil.copy(file, folder / file.name)
    return folder


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """`dateline ARGS` in a subprocess, exactly as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_run(inputs: Path, output: Path) -> subprocess.Popen:
    """`dateline run --input INPUTS --output OUTPUT` started in a subprocess (to kill or race)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--input", str(inputs)]
        + ["--output", str(output)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def has_staged_files(output: Path) -> bool:
    staging = output / "_dateline" / "staging"
    return staging.exists() and any(path.is_file() for path in staging.rglob("*.parquet"))


def has_commit(output: Path, version: int = 1) -> bool:
    return (output / "_dateline" / "log" / f"{version:020d}.json").exists()


def gzip_bomb(path: Path, gigabytes: int) -> None:
    """`gigabytes` GB of zeros in about a thousandth of that: one small gzip member
    of 1 MiB of zeros, repeated (a gzip file may hold many members)."""
    member = gzip.compress(bytes(2**20), compresslevel=9)
    with open(path, "wb") as handle:
        for _ in range(gigabytes * 1024):
            handle.write(member)


def copy_seeds(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, target / seed.name)
    stamp = SEED_000_MODIFIED.timestamp()
    os.utime(target / "000_ecb1709d6c659af1.txt", (stamp, stamp))
    return target


def parquet_rows(output: Path, table: str, sql: str = "SELECT * FROM t") -> list[dict]:
    """Rows of one table read back with DuckDB, Hive partitions included."""
    con = duckdb.connect()
    pattern = str(output / table / "**" / "*.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{pattern}', hive_partitioning=true)")
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# Where a file lives and when it landed legitimately differ between runs and stores.
RUN_SPECIFIC_COLUMNS = {"source_uri", "source_size", "source_modified", "ingested_at"}


def table_contents(output: str, storage_options: dict | None = None) -> dict:
    """Every table's rows as sorted tuples of strings, less the run-specific columns."""
    from pipeline import sql
    from schemas import tables

    con = sql.open_dataset(str(output), storage_options)
    contents = {}
    for table in tables.TABLES:
        names, rows = sql.query(con, f"SELECT * FROM {table}")
        kept = [i for i, name in enumerate(names) if name not in RUN_SPECIFIC_COLUMNS]
        contents[table] = sorted(tuple(str(row[i]) for i in kept) for row in rows)
    return contents


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory):
    """The CLI run once over a copy of seeds/; (input dir, output dir, completed process)."""
    base = tmp_path_factory.mktemp("seeds_run")
    inputs = copy_seeds(base / "seeds")
    output = base / "out"
    completed = run_cli("run", "--input", str(inputs / "*.txt"), "--output", str(output))
    assert completed.returncode == 0, completed.stderr[-3000:]
    return inputs, output, completed


@pytest.fixture(scope="session")
def gcs_endpoint():
    """The URL of a fake-gcs-server running for the whole test session."""
    from tests.gcs_server import fake_gcs_server

    with fake_gcs_server() as server:
        yield server.url


@pytest.fixture
def gcs_options(gcs_endpoint):
    """Storage options that point gcsfs at the emulator, anonymously."""
    return {"endpoint_url": gcs_endpoint, "token": "anon"}
