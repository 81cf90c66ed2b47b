"""Synthetic republications of a story, as outlets make them of wire copy.

Each edit takes a BBC file's text (a title line, a blank line, paragraphs)
and returns another outlet's version of it. `bench/stories.py` measures
duplicate detection with them, and tests/test_stories.py builds its copies
from them.

Example: `change_words(text, random.Random(1), 0.03)` replaces 3 % of the
body's words with words of another story.
"""

import random
import re
from collections import defaultdict

FILLER = [
    "local",
    "officials",
    "said",
    "on",
    "Tuesday",
    "that",
    "further",
    "details",
    "would",
    "follow",
]
OUTLETS = [
    ("LONDON (Reuters) - ", "UK news in brief"),
    ("NEW YORK, March 3 (AP) - ", "From the wires"),
    ("PARIS (AFP) -- ", "World roundup"),
    ("(CNN) ", "What you need to know"),
]


def _split(text: str) -> tuple[str, list[str]]:
    title, _, body = text.strip().partition("\n")
    return title, [paragraph for paragraph in body.split("\n") if paragraph.strip()]


def _join(title: str, paragraphs: list[str]) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


def change_words(text: str, rng: random.Random, share: float) -> str:
    """`share` of the body's words replaced by others (a sub-editor's touch)."""
    title, paragraphs = _split(text)
    words = [paragraph.split() for paragraph in paragraphs]
    places = [(p, w) for p, paragraph in enumerate(words) for w in range(len(paragraph))]
    for p, w in rng.sample(places, max(1, round(share * len(places)))):
        words[p][w] = rng.choice(FILLER)
    return _join(title, [" ".join(paragraph) for paragraph in words])


def trim(text: str, rng: random.Random, share: float) -> str:
    """The story cut to fit: its last sentences, about `share` of its words, dropped
    (one time in three its first ones instead, after the opening paragraph)."""
    title, paragraphs = _split(text)
    sentences = [
        (p, sentence)
        for p, paragraph in enumerate(paragraphs)
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph)
    ]
    words = sum(len(sentence.split()) for _, sentence in sentences)
    order = list(range(len(sentences)))[::-1]
    if rng.random() < 1 / 3:
        order = [i for i in range(len(sentences)) if sentences[i][0] > 0]
    dropped, cut = set(), 0
    for index in order:
        if cut >= share * words:
            break
        dropped.add(index)
        cut += len(sentences[index][1].split())
    kept = defaultdict(list)
    for index, (p, sentence) in enumerate(sentences):
        if index not in dropped:
            kept[p].append(sentence)
    return _join(title, [" ".join(kept[p]) for p in sorted(kept)])


def other_headers(text: str, rng: random.Random) -> str:
    """Another headline, and the outlet's dateline and agency credit before the story."""
    title, paragraphs = _split(text)
    credit, section = rng.choice(OUTLETS)
    return _join(f"{section}: {title.lower()}", [credit + paragraphs[0], *paragraphs[1:]])


EDITS = {
    "words_2pct": lambda text, rng: change_words(text, rng, 0.02),
    "words_5pct": lambda text, rng: change_words(text, rng, 0.05),
    "trim_10pct": lambda text, rng: trim(text, rng, 0.1),
    "other_headers": other_headers,
    "headers_and_words_2pct": lambda text, rng: other_headers(change_words(text, rng, 0.02), rng),
}
