"""schemas/ is the single source of truth: row types and Arrow schemas must agree."""

import dataclasses
import datetime

import pyarrow as pa
import pytest

from schemas import tables


@pytest.mark.parametrize("table", tables.COMMITTED_TABLES.values(), ids=lambda table: table.name)
def test_row_type_and_arrow_schema_have_the_same_columns_in_order(table):
    fields = [field.name for field in dataclasses.fields(table.row_type)]
    assert fields == table.schema.names


@pytest.mark.parametrize("table", tables.COMMITTED_TABLES.values(), ids=lambda table: table.name)
def test_row_annotations_match_arrow_types_and_nullability(table):
    for field in dataclasses.fields(table.row_type):
        python_type, optional = tables.annotation_parts(field.type)
        arrow_field = table.schema.field(field.name)
        assert arrow_field.type in tables.ARROW_TYPE_OF_ANNOTATION[python_type], field.name
        assert arrow_field.nullable == optional, field.name


@pytest.mark.parametrize("table", tables.TABLES.values(), ids=lambda table: table.name)
def test_sort_key_and_partition_column_are_sensible(table):
    assert set(table.sort_key) <= set(table.schema.names)
    assert table.input_key in table.sort_key
    # The partition value lives in the path; a column of the same name would clash.
    assert table.partition_column not in table.schema.names


def test_rows_convert_to_a_typed_record_batch_sorted_by_key():
    moment = datetime.datetime(2018, 10, 23, 12, tzinfo=datetime.UTC)
    rows = [
        tables.ErrorRow(
            "file:///b.png", "decode_text", "BinaryContent", "png", 10, "x", None, moment, "v"
        ),
        tables.ErrorRow(
            "file:///a", "decode_text", "EmptyContent", "empty", 0, "", None, moment, "v"
        ),
    ]
    batch = tables.to_record_batch(tables.ERRORS, rows)
    assert batch.schema == tables.ERRORS_SCHEMA
    assert batch.column("source_uri").to_pylist() == ["file:///a", "file:///b.png"]
    assert batch.column("ingested_at").type == pa.timestamp("us", tz="UTC")


def test_empty_rows_still_give_the_schema():
    assert tables.to_record_batch(tables.MENTIONS, []).schema == tables.MENTIONS_SCHEMA


def test_missing_date_goes_to_hives_null_partition():
    assert tables.partition_value(None) == "__HIVE_DEFAULT_PARTITION__"
    assert tables.partition_value(datetime.date(2018, 8, 24)) == "2018-08-24"
