"""Entity resolution on the three seed articles with the real spaCy model."""

import pytest

from tests.conftest import SEEDS
from transforms.decode_text import DecodedArticle, article_id_of
from transforms.entity_names import TITLE_WORDS, fold_tokens
from transforms.extract_entities import ExtractEntitiesFn
from transforms.headers import parse_header
from transforms.parse_headers import ParsedArticle

PEOPLE = {
    "000_ecb1709d6c659af1.txt": {
        "Sergei Shoigu",
        "John Bolton",
        "Nikolai Patrushev",
        "Sergey Lavrov",
        "Yuri Ushakov",
        "Dmitry Peskov",
        "Vladimir Putin",
    },
    # `Bush-era hawk Bolton` names Bush.
    "001_557d3ff9d594c1ed.txt": {
        "Sergey Shoigu",
        "John Bolton",
        "Donald Trump",
        "Nikolai Patrushev",
        "Bush",
    },
    "002_d75993ab0ea988bf.txt": {
        "Nikolai Patrushev",
        "John Bolton",
        "Vladimir Putin",
        "Donald Trump",
        "Dmitry Peskov",
        "Mike Pompeo",
    },
}


@pytest.fixture(scope="module")
def resolved():
    """{seed name: (body, mentions, entities)}: the header parser, then the NER DoFn itself."""
    articles = []
    for name in PEOPLE:
        text = (SEEDS / name).read_text(encoding="utf-8")
        source = DecodedArticle(article_id_of(text), name, len(text), None, "utf-8", text)
        articles.append(ParsedArticle(source=source, header=parse_header(text)))
    fn = ExtractEntitiesFn()
    fn.setup()
    annotated = list(fn.process(articles))
    assert [article.parsed.source.uri for article in annotated] == list(PEOPLE)
    return {
        article.parsed.source.uri: (
            article.parsed.header.body,
            list(article.mentions),
            list(article.entities),
        )
        for article in annotated
    }


def person(entities, name):
    [found] = [e for e in entities if e.name == name and e.label == "PERSON"]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(PEOPLE))
def test_person_entities_are_the_people_the_text_names(resolved, seed):
    _, _, entities = resolved[seed]
    assert {e.name for e in entities if e.label == "PERSON"} == PEOPLE[seed]


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(PEOPLE))
def test_mentions_point_at_their_text(resolved, seed):
    body, mentions, entities = resolved[seed]
    ids = {e.entity_id for e in entities}
    for m in mentions:
        assert m.text == body[m.start_char : m.end_char]
        assert m.entity_id is None or m.entity_id in ids


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(PEOPLE))
def test_no_entity_is_a_title_fragment(resolved, seed):
    _, mentions, entities = resolved[seed]
    for e in entities:
        assert fold_tokens(e.name)[-1] not in TITLE_WORDS, e
        assert e.name not in {"US National Security", "National Security", "Defense", "State"}
    fragments = {m.text for m in mentions if m.entity_id is None and m.label == "ORG"}
    assert fragments <= {
        "US National Security",
        "National Security",
        "Russian Presidential Spokesman",
        "Defense",
        "State",
    }


@pytest.mark.slow
def test_bolton_and_patrushev_are_the_same_people_in_every_seed(resolved):
    for name in ("John Bolton", "Nikolai Patrushev"):
        ids = {person(entities, name).entity_id for _, _, entities in resolved.values()}
        assert len(ids) == 1, name


@pytest.mark.slow
def test_shoigu_in_seed_001_is_sergei_shoigu_of_seed_000(resolved):
    _, _, entities_000 = resolved["000_ecb1709d6c659af1.txt"]
    _, mentions_001, _ = resolved["001_557d3ff9d594c1ed.txt"]
    shoigu_000 = person(entities_000, "Sergei Shoigu").entity_id
    bare = [m for m in mentions_001 if m.text == "Shoigu"]
    assert len(bare) == 3  # spaCy tags the first one GPE
    assert {(m.entity_id, m.label) for m in bare} == {(shoigu_000, "PERSON")}


@pytest.mark.slow
def test_partushev_is_patrushev(resolved):
    _, mentions, entities = resolved["002_d75993ab0ea988bf.txt"]
    [typo] = [m for m in mentions if m.text == "Partushev"]
    assert typo.entity_id == person(entities, "Nikolai Patrushev").entity_id


@pytest.mark.slow
def test_the_inf_treaty_is_one_entity_in_every_seed(resolved):
    for name, (_, _, entities) in resolved.items():
        [treaty] = [e for e in entities if e.name == "Intermediate-Range Nuclear Forces Treaty"]
        assert treaty.entity_id == "1abe19d67c966b37", name
    _, mentions_001, _ = resolved["001_557d3ff9d594c1ed.txt"]
    assert {m.entity_id for m in mentions_001 if m.text == "INF"} == {"1abe19d67c966b37"}


@pytest.mark.slow
def test_sputnik_is_not_a_person(resolved):
    _, _, entities = resolved["002_d75993ab0ea988bf.txt"]
    [sputnik] = [e for e in entities if e.name == "Sputnik"]
    assert sputnik.label == "ORG"
