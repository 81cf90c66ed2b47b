"""A long streaming watch: memory over time and copy-to-commit latency.

    python bench/streaming_watch.py [--minutes 30] [--every 3] [--poll 5] [--window 5]

Starts `dateline run --streaming` on an empty landing folder, copies one BBC
story (a distinct text each time) into it every `--every` seconds, samples the
watcher's resident memory every 10 s, and stops it after `--minutes`. Prints
RSS at minute 1, 5 and the end (goal: flat from minute 5 on), and the latency
from each copy to the commit that made it queryable (goal: poll + window + 5 s).
"""

import argparse
import datetime
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus_copies import bbc_stories  # noqa: E402

from transforms import table_files  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def commit_times(output: Path) -> dict[str, float]:
    """uri -> epoch seconds of the commit that ingested it, from the log and the ledger."""
    times = {}
    for record_path in sorted((output / "_dateline" / "log").glob("*[0-9].json")):
        record = json.loads(record_path.read_text())
        moment = datetime.datetime.fromisoformat(record["committed_at"]).timestamp()
        for added in record["added"]:
            if added["table"] == "ledger":
                ledger = table_files.read_parquet(str(output / added["path"]))
                for uri in ledger.column("source_uri").to_pylist():
                    times.setdefault(uri, moment)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=3.0)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=5.0)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    landing, output = base / "landing", base / "out"
    landing.mkdir()
    duration = args.minutes * 60
    watcher = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--streaming", "--input", str(landing)]
        + ["--output", str(output), f"--poll_interval={args.poll}", f"--window={args.window}"]
        + [f"--stop_after={duration}"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    started = time.time()
    stories = bbc_stories()
    copied_at, samples = {}, []
    next_copy, next_sample, index = started + 15, started, 0
    while time.time() < started + duration - 2 * args.poll:
        now = time.time()
        if now >= next_copy:
            story = stories[index % len(stories)]
            target = landing / f"{index:06d}-{story.name}"
            text = story.read_text(encoding="utf-8", errors="replace")
            target.write_text(f"{text}\n(copy {index})\n")
            copied_at[f"file://{target}"] = time.time()
            index += 1
            next_copy += args.every
        if now >= next_sample:
            samples.append((now - started, rss_mib(watcher.pid)))
            next_sample += 10
        time.sleep(0.05)
    stdout, _ = watcher.communicate(timeout=600)
    committed = commit_times(output)
    latencies = [committed[uri] - at for uri, at in copied_at.items() if uri in committed]
    missing = len(copied_at) - len(latencies)

    def rss_at(minute: float) -> float:
        return min(samples, key=lambda sample: abs(sample[0] - minute * 60))[1] or 0.0

    print(stdout.strip().splitlines()[0] if stdout.strip() else "(no summary)")
    print(f"files copied {len(copied_at)}, committed {len(latencies)}, missing {missing}")
    for minute in (1, 5, args.minutes / 2, args.minutes):
        print(f"RSS at minute {minute:>4.1f}: {rss_at(minute):7.0f} MiB")
    print(f"RSS end / minute 5: {rss_at(args.minutes) / rss_at(5):.2f}")
    if latencies:
        ordered = sorted(latencies)
        print(
            f"copy-to-commit latency: median {statistics.median(ordered):.1f} s, "
            f"p95 {ordered[int(0.95 * (len(ordered) - 1))]:.1f} s, max {ordered[-1]:.1f} s "
            f"(goal <= poll + window + 5 = {args.poll + args.window + 5:.0f} s)"
        )
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
