"""Near-duplicate stories share one `story_id`, across workers, commits and runs."""

import random
import shutil

import pytest

from bench.story_edits import EDITS, change_words, trim
from pipeline import main as pipeline_main
from tests.conftest import BBC, parquet_rows
from transforms import stories

STORY = BBC / "business" / "ad-sales-boost-time-warner-profit.txt"
# Unrelated stories, several of them on the same beat as STORY.
OTHERS = [
    *[story for story in sorted((BBC / "business").glob("*.txt")) if story != STORY][:4],
    *sorted((BBC / "tech").glob("*.txt"))[:3],
    *sorted((BBC / "sport").glob("*.txt"))[:3],
]


def _copies(text: str) -> dict[str, str]:
    """Five outlets' versions of `text`, each edited differently."""
    rng = random.Random(3)
    names = ["words_2pct", "trim_10pct", "other_headers", "headers_and_words_2pct"]
    copies = {f"copy-{name}.txt": EDITS[name](text, rng) for name in names}
    copies["copy-trimmed-and-reworded.txt"] = trim(change_words(text, rng, 0.01), rng, 0.2)
    return copies


def test_a_story_is_alike_its_edited_copies_and_unlike_other_stories():
    text = STORY.read_text()
    original = stories.body_minhash(text)
    for copy in _copies(text).values():
        assert stories.alike(original, stories.body_minhash(copy))
    for other in OTHERS:
        assert not stories.alike(original, stories.body_minhash(other.read_text()))


def test_a_brief_is_not_the_round_up_it_appears_in():
    brief = " ".join(STORY.read_text().split()[:30])
    assert len(stories.shingles(brief)) < stories.MIN_CONTAINED_SHINGLES
    round_up = STORY.read_text() + "\n" + OTHERS[0].read_text() + OTHERS[1].read_text()
    assert not stories.alike(stories.body_minhash(brief), stories.body_minhash(round_up))


def _signatures(**bodies: str) -> dict[str, bytes]:
    return {article_id: stories.body_minhash(body) for article_id, body in bodies.items()}


def test_new_copies_join_the_smallest_story_and_stored_stories_win():
    text, other = STORY.read_text(), OTHERS[0].read_text()
    rng = random.Random(5)
    new = _signatures(c=text, b=change_words(text, rng, 0.02), z=other)
    assert stories.assign_stories(new, {}) == {"c": "b", "b": "b", "z": "z"}
    stored = {"x": ("s1", stories.body_minhash(trim(text, rng, 0.1)))}
    assert stories.assign_stories(new, stored) == {"c": "s1", "b": "s1", "z": "z"}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """The story, five edited copies and ten unrelated stories, on two worker processes."""
    base = tmp_path_factory.mktemp("stories")
    inputs = base / "in"
    inputs.mkdir()
    shutil.copy(STORY, inputs / "original.txt")
    for name, copy in _copies(STORY.read_text()).items():
        (inputs / name).write_text(copy)
    for other in OTHERS:
        shutil.copy(other, inputs / f"other-{other.name}")
    output = base / "out"
    outcome = pipeline_main.run(
        ["--input", str(inputs), "--output", str(output)]
        + ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    )
    assert outcome.manifest["rows"]["articles"] == 16
    return output


def _stories_by_file(output) -> dict[str, str]:
    rows = parquet_rows(
        output, "articles", "SELECT regexp_extract(source_uri, '[^/]+$') AS name, story_id FROM t"
    )
    return {row["name"]: row["story_id"] for row in rows}


def test_the_copies_share_one_story_id_and_other_stories_keep_their_own(first_run):
    story_of = _stories_by_file(first_run)
    copies = {name: story for name, story in story_of.items() if not name.startswith("other-")}
    assert len(copies) == 6
    assert len(set(copies.values())) == 1
    others = [story for name, story in story_of.items() if name.startswith("other-")]
    assert len(set(others)) == len(others) == len(OTHERS)
    assert set(others).isdisjoint(copies.values())
    ids = parquet_rows(first_run, "articles", "SELECT article_id, story_id FROM t")
    # A story's id is one of its articles' ids: the smallest of the copies.
    assert next(iter(copies.values())) == min(
        row["article_id"] for row in ids if row["story_id"] in copies.values()
    )


def test_a_later_run_joins_a_copy_to_the_stored_story_and_changes_no_stored_row(
    first_run, tmp_path
):
    output = tmp_path / "out"
    shutil.copytree(first_run, output)
    before = parquet_rows(output, "articles", "SELECT article_id, story_id FROM t")
    later = tmp_path / "later"
    later.mkdir()
    late_copy = change_words(STORY.read_text(), random.Random(11), 0.03)
    (later / "late-copy.txt").write_text(late_copy)
    shutil.copy(BBC / "politics" / sorted(p.name for p in (BBC / "politics").iterdir())[0], later)
    pipeline_main.run(["--input", str(later), "--output", str(output), "--direct_num_workers=1"])
    story_of = _stories_by_file(output)
    assert story_of["late-copy.txt"] == story_of["original.txt"]
    politics = [name for name in story_of if name not in _stories_by_file(first_run)]
    assert len(set(story_of[name] for name in politics)) == 2
    after = parquet_rows(output, "articles", "SELECT article_id, story_id FROM t")
    assert all(row in after for row in before)
