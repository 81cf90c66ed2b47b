"""Precision and recall of duplicate-story pairs on BBC stories with synthetic edits.

    .venv/bin/python bench/stories.py [--stories 400] [--seed 7]

Takes `--stories` BBC stories (all five sections), makes one edited copy of
each with every edit of `bench/story_edits.py` plus two harder ones (10 %
of the words changed, a third of the text cut), parses every
text with the pipeline's header parser, and groups the bodies with
`transforms.stories.assign_stories`, as one commit does. A pair is a true
duplicate when both texts come from one original, or from two originals
that are alike measured exactly (on the shingle sets, not the signatures:
the BBC set republishes some stories, updated). Prints, per edit, how many
copies joined their original's story (recall), and over all pairs that share
a story, how many are true (precision): the false pairs are those that the
signatures' estimates, and single-linkage chains through them, add.
"""

import argparse
import itertools
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.story_edits import EDITS, change_words, trim  # noqa: E402
from transforms import stories  # noqa: E402
from transforms.decode_text import article_id_of  # noqa: E402
from transforms.headers import parse_header  # noqa: E402

BBC = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "bbc"

HARDER = {
    "words_10pct": lambda text, rng: change_words(text, rng, 0.10),
    "trim_third": lambda text, rng: trim(text, rng, 0.34),
}


def exact_jaccard(one: str, other: str) -> float:
    first, second = stories.shingles(one), stories.shingles(other)
    return len(first & second) / len(first | second)


def exactly_alike(one: str, other: str) -> bool:
    """`stories.alike` on the shingle sets themselves instead of their signatures."""
    first, second = stories.shingles(one), stories.shingles(other)
    shared = len(first & second)
    if shared / len(first | second) >= stories.STORY_THRESHOLD:
        return True
    shorter = min(len(first), len(second))
    return (
        shared / len(first | second) >= stories.CANDIDATE_THRESHOLD
        and shorter >= stories.MIN_CONTAINED_SHINGLES
        and shared / shorter >= stories.CONTAINED_THRESHOLD
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    files = sorted(BBC.glob("*/*.txt"))
    originals = rng.sample(files, min(args.stories, len(files)))
    texts = {}  # article id -> (original, edit, body)
    for original in originals:
        text = original.read_text(encoding="utf-8", errors="replace")
        for edit, make in {"original": lambda t, _: t, **EDITS, **HARDER}.items():
            copy = make(text, rng)
            texts.setdefault(article_id_of(copy), (original.name, edit, parse_header(copy).body))
    started = time.perf_counter()
    signatures = {
        article_id: stories.body_minhash(body) for article_id, (*_, body) in texts.items()
    }
    signed = time.perf_counter()
    story_of = stories.assign_stories(signatures, {})
    grouped = time.perf_counter()

    original_body = {texts[a][0]: texts[a][2] for a in texts if texts[a][1] == "original"}
    members = defaultdict(list)
    for article_id, story in story_of.items():
        members[story].append(article_id)
    true_pairs = false_pairs = 0
    for group in members.values():
        for one, other in itertools.combinations(group, 2):
            first, second = texts[one][0], texts[other][0]
            if first == second or exactly_alike(original_body[first], original_body[second]):
                true_pairs += 1
            else:
                false_pairs += 1
    story_of_original = {texts[a][0]: story_of[a] for a in story_of if texts[a][1] == "original"}
    print(f"{len(originals)} BBC stories, {len(texts)} distinct texts")
    print(f"{'edit':<24} {'copies':>6} {'joined':>6} {'recall':>7} {'median J':>9}")
    for edit in [*EDITS, *HARDER]:
        copies = [a for a in texts if texts[a][1] == edit]
        joined = sum(story_of[a] == story_of_original[texts[a][0]] for a in copies)
        similarities = sorted(
            exact_jaccard(texts[a][2], original_body[texts[a][0]]) for a in copies
        )
        median = similarities[len(similarities) // 2] if similarities else float("nan")
        tuned = "" if edit in EDITS else "  (below Jaccard 0.8)"
        print(
            f"{edit:<24} {len(copies):>6} {joined:>6} {joined / len(copies):>7.3f} "
            f"{median:>9.3f}{tuned}"
        )
    total = true_pairs + false_pairs
    print(
        f"pairs sharing a story: {total}, true {true_pairs}, false {false_pairs}, "
        f"precision {true_pairs / total if total else float('nan'):.3f}"
    )
    print(
        f"signatures {1000 * (signed - started) / len(texts):.2f} ms/article, "
        f"grouping {grouped - signed:.2f} s for {len(texts)} articles"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
