"""Property tests of decoding: any bytes give text or a DecodeError, never a crash, and
decoded text keeps no stray control characters."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.decode_text import (
    DecodeError,
    decode_article_text,
    normalize_text,
    remove_stray_controls,
)

SETTINGS = settings(max_examples=300, deadline=None)


def _stray(char: str) -> bool:
    return char not in "\t\n\r\f" and unicodedata.category(char) == "Cc"


@SETTINGS
@given(st.binary(max_size=2_000))
def test_any_bytes_decode_to_clean_text_or_a_decode_error(data):
    try:
        text, encoding, removed = decode_article_text(data)
    except DecodeError:
        return
    assert text.strip() and encoding and removed >= 0
    assert not any(_stray(char) for char in text)


# Text with a few stray controls sprinkled in, as a bad copy leaves them.
prose = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=40, max_size=400)
controls = st.lists(st.sampled_from("\x00\x01\x07\x1b\x7f"), max_size=3)


@SETTINGS
@given(prose, controls, st.randoms(use_true_random=False))
def test_a_few_stray_controls_are_removed_and_counted_exactly(text, noise, random):
    if not text.strip():
        return
    noisy = list(text)
    for char in noise:
        noisy.insert(random.randrange(len(noisy) + 1), char)
    decoded, encoding, removed = decode_article_text("".join(noisy).encode("utf-8"))
    assert (decoded, encoding, removed) == (normalize_text(text), "utf-8", len(noise))
    assert remove_stray_controls("".join(noisy)) == (text, len(noise))
