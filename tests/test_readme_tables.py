"""The README documents every column of every table, and no column that does not exist."""

import re

import pytest

from schemas import tables
from tests.conftest import REPO


def documented_columns(table_name: str) -> set[str]:
    readme = (REPO / "README.md").read_text()
    section = re.split(rf"\n### `{table_name}`[^\n]*\n", readme, maxsplit=1)[1]
    section = section.split("\n#", 1)[0]
    columns = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            columns.update(re.findall(r"`([a-z_]+)`", first_cell))
    return columns


@pytest.mark.parametrize("table", tables.TABLES.values(), ids=lambda table: table.name)
def test_readme_documents_exactly_the_columns(table):
    expected = set(table.schema.names) | {table.partition_column}
    assert documented_columns(table.name) == expected
