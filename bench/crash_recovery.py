"""kill -9 during a run over the whole BBC corpus, then a rerun: tables equal a clean run's.

    python bench/crash_recovery.py [--corpus ../shared/corpus/bbc]

Runs the corpus once cleanly, then three times killed with SIGKILL at a
different moment each (a third of the clean run's time in; the first staged
file; the first commit record) and rerun to completion. Prints, for each, when
the kill landed, what the rerun ingested, and whether every table equals the
clean run's (less run-specific columns) with no stray file under the tables.
"""

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import (  # noqa: E402
    has_commit,
    has_staged_files,
    start_run,
    table_contents,
)

TABLES = ("articles", "mentions", "entities", "errors")


def stray_files(output: Path) -> list[str]:
    return [
        str(path)
        for table in TABLES
        for path in (output / table).rglob("*")
        if path.is_file() and not (path.name.startswith("part-") and path.suffix == ".parquet")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "bbc")
    parser.add_argument(
        "--only", default=None, help="One moment by name, e.g. 'first commit record'."
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-crash-"))
    inputs = base / "in"
    shutil.copytree(args.corpus, inputs)
    started = time.monotonic()
    clean_run = start_run(inputs, base / "clean")
    clean_run.communicate()
    clean_seconds = time.monotonic() - started
    clean = table_contents(str(base / "clean"))
    print(f"clean run: {clean_seconds:.1f} s, {len(clean['articles'])} articles")
    moments = {
        "a third in": lambda output, t0: time.monotonic() - t0 > clean_seconds / 3,
        "first staged file": lambda output, t0: has_staged_files(output),
        "first commit record": lambda output, t0: has_commit(output),
    }
    for name, due in moments.items():
        if args.only and name != args.only:
            continue
        output = base / name.replace(" ", "-")
        process = start_run(inputs, output)
        t0 = time.monotonic()
        while process.poll() is None and not due(output, t0):
            time.sleep(0.005)
        killed_at = time.monotonic() - t0
        process.send_signal(signal.SIGKILL)
        process.wait()
        rerun = start_run(inputs, output)
        summary, _ = rerun.communicate()
        lines = [line for line in summary.splitlines() if "files read" in line]
        read = lines[0].split()[-1] if lines else "? (the rerun failed)"
        equal = table_contents(str(output)) == clean
        print(
            f"killed at {name} ({killed_at:.1f} s): rerun read {read} files; "
            f"tables equal a clean run's: {equal}; stray files: {len(stray_files(output))}"
        )
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
