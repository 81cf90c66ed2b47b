"""Coverage-guided fuzzing of decoding and the header parser with atheris (libFuzzer).

    python tests/fuzz_parser.py -runs=3000                # what make test runs
    python tests/fuzz_parser.py -max_total_time=3600 fuzz-corpus/   # an hour, keeping a corpus

Any bytes must decode to text or raise a DecodeError, and the header parser must
account for every character of the text (tests/test_headers_properties.py's checks).
A failure prints the input and writes it as `crash-...` for replay:
`python tests/fuzz_parser.py crash-...`.
"""

import datetime
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["transforms.headers", "transforms.decode_text"]):
    import transforms.headers  # noqa: F401 - instrumented here, used by the checks
    from transforms.decode_text import DecodeError, decode_article_text

from tests.test_headers_properties import check_header_accounts_for_text  # noqa: E402

REFERENCE = datetime.datetime(2018, 10, 24, 9, 30, tzinfo=datetime.UTC)


def one_input(data: bytes) -> None:
    try:
        text, _, _ = decode_article_text(data)
    except DecodeError:
        return
    check_header_accounts_for_text(text, REFERENCE if data[:1] < b"\x80" else None)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
