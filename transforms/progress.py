"""Live progress of a local run: workers note what they finish, the launcher shows it.

Beam's local runners report metrics only when the pipeline ends, so steps
note their events in a folder instead: each process appends one short line
per event to a file of its own (`matched 12`, `skipped 3`, `article`,
`error`). The folder is named by `DATELINE_PROGRESS`, which the launching
process sets and its worker processes inherit; where it is unset (Dataflow
and other remote runners, whose own consoles show progress) noting costs a
dictionary lookup. `ProgressReader` sums the files; `ProgressDisplay` draws
one line on a terminal and writes plain log lines elsewhere.

Example: `note("matched", 2225)` from the listing, then `note("article")`
per article staged, read back as `Counts(matched=2225, skipped=0,
articles=1, errors=0)`; shown as
`dateline: 1/2,225 files · 0.4 articles/s · 0 errors · ETA 1:32:04`.
"""

import dataclasses
import os
import threading
import time
import uuid
from pathlib import Path

ENVIRONMENT_VARIABLE = "DATELINE_PROGRESS"
EVENTS = {"matched", "skipped", "article", "error"}

_writer_lock = threading.Lock()
_writer: tuple[str, int] | None = None  # (folder, file descriptor) of this process


def note(event: str, count: int = 1) -> None:
    """Records `count` events of one kind for the run this process works for, if any."""
    global _writer
    folder = os.environ.get(ENVIRONMENT_VARIABLE)
    if not folder:
        return
    line = (event if count == 1 else f"{event} {count}") + "\n"
    with _writer_lock:
        if _writer is None or _writer[0] != folder:
            if _writer is not None:
                os.close(_writer[1])  # an earlier run's folder, gone or going
            # One file per process (and per run): appends from one process never interleave.
            path = Path(folder) / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            _writer = (folder, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644))
        os.write(_writer[1], line.encode("ascii"))


@dataclasses.dataclass
class Counts:
    matched: int = 0
    skipped: int = 0
    articles: int = 0
    errors: int = 0

    @property
    def done(self) -> int:
        return self.articles + self.errors

    @property
    def to_read(self) -> int:
        return self.matched - self.skipped


class ProgressReader:
    """Sums the event files of a progress folder, reading only what is new each time."""

    def __init__(self, folder: Path):
        self._folder = folder
        self._offsets: dict[Path, int] = {}
        self._partial: dict[Path, bytes] = {}
        self.counts = Counts()

    def read(self) -> Counts:
        for path in sorted(self._folder.iterdir()):
            with path.open("rb") as file:
                file.seek(self._offsets.get(path, 0))
                data = self._partial.pop(path, b"") + file.read()
                self._offsets[path] = file.tell()
            *lines, rest = data.split(b"\n")
            if rest:
                self._partial[path] = rest  # a line still being written
            for line in lines:
                self._count(line.decode("ascii"))
        return self.counts

    def _count(self, line: str) -> None:
        event, _, count = line.partition(" ")
        number = int(count) if count else 1
        if event == "matched":
            self.counts.matched += number
        elif event == "skipped":
            self.counts.skipped += number
        elif event == "article":
            self.counts.articles += number
        elif event == "error":
            self.counts.errors += number


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclasses.dataclass
class Rate:
    """Articles per second since the first one was done (model loading is not counted)."""

    first_at: float | None = None
    first_done: int = 0

    def per_second(self, done: int, now: float) -> float | None:
        if self.first_at is None:
            if done:
                self.first_at, self.first_done = now, done
            return None
        elapsed = now - self.first_at
        return (done - self.first_done) / elapsed if elapsed >= 1 else None


def describe(counts: Counts, rate: float | None, streaming: bool) -> str:
    """`1,234/2,225 files · 24.3 articles/s · 3 errors · ETA 0:41` (no total in a watch)."""
    if streaming:
        parts = [f"{counts.done:,} files ingested"]
    elif not counts.matched:
        parts = ["listing inputs"]
    else:
        total = counts.to_read
        parts = [f"{min(counts.done, total):,}/{total:,} files"]
        if counts.skipped:
            parts[0] += f" ({counts.skipped:,} unchanged skipped)"
    if rate is not None:
        parts.append(f"{rate:.1f} articles/s")
    elif not counts.done:
        parts.append("starting")
    parts.append(f"{counts.errors:,} error" + ("" if counts.errors == 1 else "s"))
    if not streaming and rate and counts.matched:
        remaining = max(counts.to_read - counts.done, 0)
        parts.append(f"ETA {_duration(remaining / rate)}")
    return " · ".join(parts)


class ProgressDisplay:
    """A thread that shows a run's progress until `stop()`.

    On a terminal it redraws one line about twice a second; elsewhere (cron,
    CI, a pipe) it writes a plain line every `interval` seconds, only when
    something changed, so a log stays short.
    """

    def __init__(
        self, folder: Path, stream, interval: float, streaming: bool, label: str, mode="auto"
    ):
        self._reader = ProgressReader(folder)
        self._stream = stream
        self._terminal = mode == "auto" and stream.isatty()
        self._interval = 0.5 if self._terminal else interval
        self._streaming = streaming
        self._label = label
        self._rate = Rate()
        self._stopped = threading.Event()
        self._last_shown = None
        self._thread = threading.Thread(target=self._loop, name="dateline-progress", daemon=True)

    def start(self) -> "ProgressDisplay":
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval):
            self.show()

    def show(self) -> None:
        counts = self._reader.read()
        text = describe(
            counts, self._rate.per_second(counts.done, time.monotonic()), self._streaming
        )
        if self._terminal:
            self._stream.write(f"\r\x1b[K{self._label}: {text}")
        elif (counts.matched, counts.done) not in (self._last_shown, (0, 0)):
            # A log gets a line when something changed, never one saying nothing.
            self._stream.write(f"{self._label}: progress: {text}\n")
        self._last_shown = (counts.matched, counts.done)
        self._stream.flush()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        if not self._terminal:
            self.show()  # where the run ended: a log's last line is complete
        elif self._last_shown is not None:
            self._stream.write("\r\x1b[K")  # the summary takes the line's place
            self._stream.flush()
