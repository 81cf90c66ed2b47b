"""Wall time and peak resident memory of a command and all its descendants.

The kernel's peak RSS of children (`getrusage`) is the largest single process,
which undercounts a run whose work is spread over worker processes, so this
samples the sum over the whole process tree from /proc (Linux) every 0.2 s.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.2


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and every process below it, in MiB."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_mib(pid)
        todo.extend(children.get(pid, []))
    return total


def run_measured(argv: list[str], **popen) -> tuple[float, float]:
    """(seconds, peak tree RSS in MiB) of `argv`, which must exit 0."""
    started = time.monotonic()
    process = subprocess.Popen(argv, **popen)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mib(process.pid))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.monotonic() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, argv)
    return seconds, peak


def seconds_of(argv: list[str]) -> float:
    """Wall time of `argv` from the repository root, which must exit 0 (no sampling)."""
    started = time.monotonic()
    subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def dateline_run(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak tree RSS in MiB) of `dateline run ARGV` from the repository root."""
    command = [sys.executable, "-m", "pipeline.cli", "run", *argv]
    return run_measured(command, cwd=REPO, stdout=subprocess.DEVNULL)


def dateline_run_into_fresh_output(argv: list[str]) -> tuple[float, float]:
    """`dateline_run` of ARGV plus `--output` in a new folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as folder:
        return dateline_run([*argv, "--output", str(Path(folder) / "out")])
