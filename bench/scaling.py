"""Peak memory and wall time of one run over 1x, 4x and 10x the BBC corpus.

    python bench/scaling.py [--sizes 1 4 10] [--extra "--direct_num_workers=1 ..."]

Each size is a fresh `dateline run` with its defaults (one worker process per
core) plus `--extra`; its peak RSS is the sum over the run and its workers
(bench/process_tree.py), over copies of `../shared/corpus/bbc`
with distinct texts (bench/corpus_copies.py), into a fresh output. Prints
wall time, peak RSS and both as ratios to the 1x run (goals for 10x: at most
11x the time, at most 1.3x the peak RSS).
"""

import argparse
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_copies import make_copies  # noqa: E402
from process_tree import dateline_run  # noqa: E402


def measure(inputs: Path, output: Path, extra: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB of the run and its worker processes) of one run."""
    return dateline_run(["--input", str(inputs), "--output", str(output), *extra])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 10])
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
