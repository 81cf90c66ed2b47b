"""Where the start-up of a small run goes: Beam, the model, dateline's own code.

    python bench/startup.py [--repeats 3]

Times, each in a fresh process (median of `--repeats`): importing Apache Beam;
importing spaCy and loading the NER model as a worker does; dateline's own
per-worker set-up (the place gazetteer) and imports; and a whole
`dateline run` over `seeds/` (what `make run` runs) with the default workers
and in one process. What the whole run spends beyond the three parts is the
runner: building the graph, starting workers, moving bundles, committing.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_tree import dateline_run_into_fresh_output, seconds_of  # noqa: E402

# Cumulative, so each part is the difference to the one before it.
STAGES = [
    ("python alone", "pass"),
    ("import apache_beam", "import apache_beam"),
    (
        "import spaCy + load the NER model",
        "import apache_beam; from transforms.nlp import load_ner_model; load_ner_model()",
    ),
    (
        "dateline's imports + gazetteer",
        "import apache_beam; from transforms.nlp import load_ner_model; load_ner_model(); "
        "import pipeline.build; from transforms.places import load_gazetteer; load_gazetteer()",
    ),
]


def seeds_run(extra: list[str]) -> float:
    seconds, _ = dateline_run_into_fresh_output(["--input", "seeds/*.txt", *extra])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    previous = 0.0
    for name, code in STAGES:
        cumulative = statistics.median(
            seconds_of([sys.executable, "-c", code]) for _ in range(args.repeats)
        )
        print(f"{name:<40} {cumulative - previous:6.2f} s")
        previous = cumulative
    parts = previous
    for label, extra in (("default workers", []), ("one process", ["--direct_num_workers=1"])):
        whole = statistics.median(seeds_run(extra) for _ in range(args.repeats))
        print(
            f"dateline run seeds/ ({label}): {whole:6.2f} s, of which the runner "
            f"(graph, workers, bundles, commit) about {whole - parts:5.2f} s"
        )


if __name__ == "__main__":
    main()
