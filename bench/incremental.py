"""Scheduled-run cost: 3 new files among N already ingested vs a run over the 3 alone.

    python bench/incremental.py [--ingested 2000] [--repeats 3]

Ingests N BBC stories (`../shared/corpus/bbc`) into one output, adds 3 new
stories, and times the scheduled run over the whole folder against a run over
only the 3 new files into a fresh output, in the same process session. Prints
the median wall times and their ratio (goal: at most 1.5).
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline import main as pipeline_main  # noqa: E402

BBC = REPO.parent / "shared" / "corpus" / "bbc"


def timed_run(inputs: Path, output: Path) -> tuple[float, dict]:
    started = time.monotonic()
    outcome = pipeline_main.run(["--input", str(inputs), "--output", str(output)])
    return time.monotonic() - started, outcome.manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingested", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    stories = sorted(BBC.glob("*/*.txt"))
    old, new = stories[: args.ingested], stories[args.ingested :]
    base = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    landing, output = base / "landing", base / "out"
    landing.mkdir()
    for story in old:
        shutil.copy(story, landing / f"{story.parent.name}-{story.name}")
    seconds, manifest = timed_run(landing, output)
    print(f"initial ingest of {manifest['files_read']} files: {seconds:.1f} s")
    scheduled, alone = [], []
    for repeat in range(args.repeats):
        batch = new[3 * repeat : 3 * repeat + 3]
        only_new = base / f"only-new-{repeat}"
        only_new.mkdir()
        for story in batch:
            shutil.copy(story, landing / f"{story.parent.name}-{story.name}")
            shutil.copy(story, only_new / f"{story.parent.name}-{story.name}")
        seconds, manifest = timed_run(landing, output)
        assert manifest["files_read"] == 3, manifest
        scheduled.append(seconds)
        seconds, manifest = timed_run(only_new, base / f"fresh-{repeat}")
        assert manifest["files_read"] == 3, manifest
        alone.append(seconds)
    ratio = statistics.median(scheduled) / statistics.median(alone)
    print(f"scheduled run, 3 new among {len(old)}: median {statistics.median(scheduled):.2f} s")
    print(f"run over the 3 alone:               median {statistics.median(alone):.2f} s")
    print(f"ratio {ratio:.2f} (goal <= 1.5)")
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
