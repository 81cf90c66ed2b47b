"""Stories: near-duplicate texts (wire copy republished with small edits) share one `story_id`.

Each article's body gets a MinHash signature on the worker that writes its
row (`body_minhash`); the commit, the one step that sees the whole run and the
stored dataset, groups articles whose bodies are alike (LSH finds the
candidates, the signatures confirm them). Two bodies are alike when the
estimated Jaccard similarity of their word shingles is at least
`STORY_THRESHOLD`, or when one is the other cut to fit: at least
`CONTAINED_THRESHOLD` of the shorter's shingles are in the longer, the
shorter holds at least `MIN_CONTAINED_SHINGLES`, and it is at least about
half the other (Jaccard `CANDIDATE_THRESHOLD`), so a brief is not the
round-up it appears in:

- an article like a stored one takes the stored article's `story_id`
  (the smallest, when it is like several stories);
- articles of one commit like each other form one story (single linkage),
  whose id is the smallest `article_id` among them;
- any other article is a story of its own: `story_id` = its `article_id`.

Stored rows never change, so a story id, once written, stays.

Example: a Reuters story and four outlets' copies of it (a word changed here,
the last paragraph dropped there, another headline) -> five articles, one
`story_id`; an unrelated story keeps its own.
"""

import re

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

# Word 2-grams: one changed word breaks two shingles, so a copy with one word
# in 20 changed still scores about 0.8 against its original; 3-grams found a
# tenth of those copies, with no gain in precision (bench/stories.py).
SHINGLE_WORDS = 2
NUM_PERM = 256
SEED = 20261203
STORY_THRESHOLD = 0.8
CONTAINED_THRESHOLD = 0.9
MIN_CONTAINED_SHINGLES = 40
CANDIDATE_THRESHOLD = 0.5
_WORD = re.compile(r"\w+")


def shingles(body: str) -> set[bytes]:
    """The body's lower-cased word 3-grams; a body shorter than that is one shingle."""
    words = _WORD.findall(body.lower())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")}
    return {
        " ".join(words[start : start + SHINGLE_WORDS]).encode("utf-8")
        for start in range(len(words) - SHINGLE_WORDS + 1)
    }


def body_minhash(body: str) -> bytes:
    """`body`'s signature: NUM_PERM MinHash values, then its shingle count (uint32, LE)."""
    found = shingles(body)
    signature = MinHash(num_perm=NUM_PERM, seed=SEED)
    signature.update_batch(sorted(found))
    values = np.append(signature.hashvalues.astype("<u4"), np.uint32(len(found)))
    return values.astype("<u4").tobytes()


def _values(signature: bytes) -> np.ndarray:
    return np.frombuffer(signature, dtype="<u4")


def _lean(signature: bytes) -> LeanMinHash:
    values = _values(signature)[:NUM_PERM].astype(np.uint64)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme="affine32")


def similarity(one: bytes, other: bytes) -> float:
    """Estimated Jaccard similarity of two bodies' shingles, from their signatures."""
    return float(np.mean(_values(one)[:NUM_PERM] == _values(other)[:NUM_PERM]))


def alike(one: bytes, other: bytes) -> bool:
    """Whether two signatures are of one story: near-equal, or one cut from the other."""
    jaccard = similarity(one, other)
    if jaccard >= STORY_THRESHOLD:
        return True
    if jaccard < CANDIDATE_THRESHOLD:
        return False
    sizes = sorted((int(_values(one)[NUM_PERM]), int(_values(other)[NUM_PERM])))
    if sizes[0] < MIN_CONTAINED_SHINGLES:
        return False
    shared = jaccard * (sizes[0] + sizes[1]) / (1 + jaccard)
    return shared / sizes[0] >= CONTAINED_THRESHOLD


class _Clusters:
    """Union-find over article ids; a cluster's root is its smallest id."""

    def __init__(self, ids):
        self._parent = {article_id: article_id for article_id in ids}

    def root(self, article_id: str) -> str:
        while self._parent[article_id] != article_id:
            self._parent[article_id] = self._parent[self._parent[article_id]]
            article_id = self._parent[article_id]
        return article_id

    def join(self, one: str, other: str) -> None:
        first, second = sorted((self.root(one), self.root(other)))
        self._parent[second] = first


def assign_stories(new: dict[str, bytes], stored: dict[str, tuple[str, bytes]]) -> dict[str, str]:
    """{article_id: story_id} for the `new` articles ({article_id: signature}).

    `stored` holds the dataset's articles as {article_id: (story_id, signature)}.
    """
    index = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
    for article_id, (_, signature) in stored.items():
        index.insert(("stored", article_id), _lean(signature))
    clusters = _Clusters(new)
    stored_match: dict[str, str] = {}  # new article -> smallest stored story it is like
    for article_id in sorted(new):
        signature = new[article_id]
        for kind, other in index.query(_lean(signature)):
            other_signature = stored[other][1] if kind == "stored" else new[other]
            if not alike(signature, other_signature):
                continue
            if kind == "new":
                clusters.join(article_id, other)
            else:
                story = stored[other][0]
                stored_match[article_id] = min(story, stored_match.get(article_id, story))
        index.insert(("new", article_id), _lean(signature))
    story_of_cluster: dict[str, str] = {}
    for article_id, story in stored_match.items():
        root = clusters.root(article_id)
        story_of_cluster[root] = min(story, story_of_cluster.get(root, story))
    return {
        article_id: story_of_cluster.get(clusters.root(article_id), clusters.root(article_id))
        for article_id in new
    }
