"""Peak memory and wall time of one run over 1x and 10x the BBC corpus.

    python bench/scaling.py [--sizes 1 10] [--extra "--direct_running_mode=multi_processing ..."]

Each size is a fresh `dateline run` in its own process (its peak RSS is the
child's max RSS, children included), over copies of `../shared/corpus/bbc`
with distinct texts (bench/corpus_copies.py), into a fresh output. Prints
wall time, peak RSS and both as ratios to the 1x run (goals for 10x: at most
11x the time, at most 1.3x the peak RSS).
"""

import argparse
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_copies import make_copies  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def run_and_report(argv: list[str]) -> None:
    """In a fresh process: run `dateline run ARGV` as a child, print seconds and its peak RSS."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", *argv],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - started
    print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def measure(inputs: Path, output: Path, extra: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one run; a wrapper process per run, since
    the kernel's peak RSS of children is a running maximum over all of them."""
    argv = ["--input", str(inputs), "--output", str(output), *extra]
    report = subprocess.run(
        [sys.executable, __file__, "--measure", *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, peak = report.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        run_and_report(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--extra", default="", help="More `dateline run` options.")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-scaling-"))
    results = {}
    for size in sorted(args.sizes):
        inputs = base / f"in-{size}x"
        files = make_copies(inputs, size)
        seconds, peak = measure(inputs, base / f"out-{size}x", shlex.split(args.extra))
        results[size] = (seconds, peak)
        print(
            f"{size:>3}x  {files:>6} files  {seconds:8.1f} s  peak RSS {peak:7.0f} MiB", flush=True
        )
        shutil.rmtree(inputs)
    smallest = min(results)
    for size, (seconds, peak) in sorted(results.items()):
        base_seconds, base_peak = results[smallest]
        print(
            f"{size:>3}x vs {smallest}x: time {seconds / base_seconds:5.2f}x, "
            f"peak RSS {peak / base_peak:4.2f}x"
        )
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
