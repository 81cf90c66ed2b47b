"""What resolving places costs a run: words/s and peak RSS with `--places on` vs `off`.

    python bench/places_cost.py [--repeats 2] [--extra "..."]

Runs `dateline run` over the BBC corpus (2,095 stories) into a fresh output,
alternating `--places off` (the baseline) and `--places on`, each in a fresh
process tree, and prints the medians: words/s (goal: on/off at least 0.95), peak
RSS of the whole process tree, and its growth per worker process (goal: at most
150 MB). The gazetteer's index is built before the first run (once per machine).
"""

import argparse
import os
import shlex
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus_copies import BBC, bbc_stories  # noqa: E402
from process_tree import dateline_run_into_fresh_output  # noqa: E402

from transforms.gazetteer import load_gazetteer  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--extra", default="", help="More `dateline run` options.")
    args = parser.parse_args(argv)
    load_gazetteer()
    words = sum(len(path.read_text(encoding="utf-8").split()) for path in bbc_stories())
    workers = os.cpu_count() or 1
    runs = {"off": [], "on": []}
    for repeat in range(args.repeats):
        for mode in ("off", "on"):
            argv = ["--input", f"{BBC}/*/*.txt", "--places", mode, *shlex.split(args.extra)]
            seconds, peak = dateline_run_into_fresh_output(argv)
            runs[mode].append((seconds, peak))
            print(f"repeat {repeat + 1} places {mode}: {seconds:.1f} s, peak RSS {peak:.0f} MiB")
    speed = {mode: words / statistics.median(s for s, _ in r) for mode, r in runs.items()}
    peak = {mode: statistics.median(p for _, p in r) for mode, r in runs.items()}
    ratio = speed["on"] / speed["off"]
    print(f"words/s off {speed['off']:,.0f}  on {speed['on']:,.0f}  on/off {ratio:.3f}")
    growth = (peak["on"] - peak["off"]) / workers
    print(
        f"peak RSS off {peak['off']:.0f} MiB  on {peak['on']:.0f} MiB  "
        f"growth per worker ({workers} workers) {growth:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
