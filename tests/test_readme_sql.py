"""Every SQL example in the README runs against the seeds output and prints what it shows."""

import re

import pytest

from pipeline import sql
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.slow

EXAMPLE = re.compile(r"```sql\n(?P<query>.*?)```\n+```text\n(?P<output>.*?)```", re.S)
BAD_INPUT_MARKER = "-- dataset: out-bad"


def readme_examples() -> list[tuple[str, str]]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## SQL\n", 1)[1].split("\n### BigQuery", 1)[0]
    return [
        (match["query"].strip(), match["output"].rstrip("\n"))
        for match in EXAMPLE.finditer(section)
    ]


def test_readme_has_the_promised_examples():
    queries = [query for query, _ in readme_examples()]
    assert len(queries) >= 5
    assert sum(BAD_INPUT_MARKER in query for query in queries) == 1


@pytest.fixture(scope="module")
def bad_input_output(seeds_run, tmp_path_factory):
    inputs, _, _ = seeds_run
    output = tmp_path_factory.mktemp("readme") / "out-bad"
    completed = run_cli(
        "run",
        "--input",
        str(inputs),
        "--input",
        str(REPO / "tests/data/bad-input"),
        "--output",
        str(output),
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return output


@pytest.mark.parametrize("index", range(len(readme_examples())))
def test_readme_query_prints_the_output_shown(index, seeds_run, bad_input_output):
    query, expected = readme_examples()[index]
    output = bad_input_output if BAD_INPUT_MARKER in query else seeds_run[1]
    names, rows = sql.query(sql.open_dataset(str(output)), query)
    assert sql.format_rows(names, rows, "table") == expected
