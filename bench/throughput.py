"""Words per second of `dateline run` against bare spaCy NER on the same texts.

    python bench/throughput.py [--repeats 3] [--naive_repeats 1] [--extra "..."]

On the BBC corpus (`../shared/corpus/bbc`, 2,095 stories), each timed in a
fresh process, model load and start-up included:

- ceiling: `nlp.pipe(texts, n_process=cores)` with the model and components
  dateline loads (NER and a sentencizer, `transforms.nlp.load_ner_model`);
- dateline: `dateline run` over the same files into a fresh output, with its
  defaults (all cores on the local runner) plus `--extra`;
- naive: one `nlp(text)` per story with the full pipeline, in one process, as
  spaCy's tutorials show.

Prints each repeat, the medians in words/s (words: whitespace-separated tokens
of the files), dateline/ceiling (goal: at least 0.85) and dateline's speed-up
over the naive loop.
"""

import argparse
import os
import shlex
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_copies import BBC, bbc_stories  # noqa: E402
from process_tree import dateline_run_into_fresh_output, seconds_of  # noqa: E402

# One story per line would break on newlines, so the child reads the files itself.
CEILING = """
import sys
from transforms.nlp import load_ner_model
paths = sys.argv[1:]
texts = [open(p, encoding="utf-8", errors="replace").read() for p in paths]
nlp = load_ner_model()
entities = sum(len(doc.ents) for doc in nlp.pipe(texts, n_process={cores}, batch_size={batch}))
print(entities)
"""

NAIVE = """
import sys
import spacy
from transforms.nlp import MODEL_NAME
paths = sys.argv[1:]
nlp = spacy.load(MODEL_NAME)
entities = 0
for path in paths:
    doc = nlp(open(path, encoding="utf-8", errors="replace").read())
    entities += len(doc.ents)
print(entities)
"""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def ceiling_seconds(paths: list[str], batch: int) -> float:
    code = CEILING.format(cores=cores(), batch=batch)
    return seconds_of([sys.executable, "-c", code, *paths])


def naive_seconds(paths: list[str]) -> float:
    return seconds_of([sys.executable, "-c", NAIVE, *paths])


def dateline_seconds(extra: list[str]) -> float:
    seconds, _ = dateline_run_into_fresh_output(["--input", str(BBC / "*" / "*.txt"), *extra])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive_repeats", type=int, default=1, help="0 skips the naive loop.")
    parser.add_argument("--ceiling_batch_size", type=int, default=256)
    parser.add_argument("--extra", default="", help="More `dateline run` options.")
    args = parser.parse_args()
    stories = bbc_stories()
    paths = [str(path) for path in stories]
    words = sum(len(path.read_text(encoding="utf-8", errors="replace").split()) for path in stories)
    print(f"{len(paths)} stories, {words} words, {cores()} cores", flush=True)
    ceiling, dateline = [], []
    for repeat in range(args.repeats):
        ceiling.append(ceiling_seconds(paths, args.ceiling_batch_size))
        dateline.append(dateline_seconds(shlex.split(args.extra)))
        print(
            f"repeat {repeat + 1}: ceiling {ceiling[-1]:6.1f} s, dateline {dateline[-1]:6.1f} s",
            flush=True,
        )
    naive = [naive_seconds(paths) for _ in range(args.naive_repeats)]
    ceiling_rate = words / statistics.median(ceiling)
    dateline_rate = words / statistics.median(dateline)
    print(f"ceiling  (nlp.pipe, n_process={cores()}): {ceiling_rate:8.0f} words/s")
    print(f"dateline run (defaults {args.extra!r}): {dateline_rate:8.0f} words/s")
    print(f"dateline / ceiling: {dateline_rate / ceiling_rate:.2f}  (goal: >= 0.85)")
    if naive:
        naive_rate = words / statistics.median(naive)
        print(f"naive (nlp(text) per story, full pipeline, 1 process): {naive_rate:8.0f} words/s")
        print(f"dateline / naive: {dateline_rate / naive_rate:.1f}x faster")


if __name__ == "__main__":
    main()
