"""Copies of the BBC corpus with distinct texts, for benches that need more input.

`make_copies(target, copies)` writes `copies` x 2,095 stories: copy k of a
story ends with a line `(copy k)`, so every file is a distinct article.
"""

from pathlib import Path

BBC = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "bbc"


def bbc_stories() -> list[Path]:
    return sorted(BBC.glob("*/*.txt"))


def make_copies(target: Path, copies: int) -> int:
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for copy in range(copies):
        folder = target / f"copy-{copy:02d}"
        folder.mkdir(exist_ok=True)
        for story in bbc_stories():
            text = story.read_text(encoding="utf-8", errors="replace")
            name = f"{story.parent.name}-{story.name}"
            (folder / name).write_text(text + (f"\n(copy {copy})\n" if copy else ""))
            written += 1
    return written
