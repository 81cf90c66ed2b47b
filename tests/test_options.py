"""Pipeline options: storage options parsing and validation that names the flag."""

import pytest
from apache_beam.options.pipeline_options import DirectOptions

from pipeline import main as pipeline_main
from pipeline.options import DatelineOptions, parse_storage_option


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("endpoint_url=http://127.0.0.1:4443", {"endpoint_url": "http://127.0.0.1:4443"}),
        ("token=anon", {"token": "anon"}),
        ("use_ssl=false", {"use_ssl": False}),
        ("retries=3", {"retries": 3}),
        ("project=0123", {"project": "0123"}),
        ('{"endpoint_url": "http://x", "anon": true}', {"endpoint_url": "http://x", "anon": True}),
        ("key=a=b", {"key": "a=b"}),
    ],
)
def test_storage_option_forms(value, expected):
    assert parse_storage_option(value) == expected


@pytest.mark.parametrize("value", ["novalue", "=x", "[1, 2]"])
def test_malformed_storage_option_is_rejected(value):
    with pytest.raises(ValueError, match="--storage_option"):
        parse_storage_option(value)


def test_repeated_storage_options_merge():
    options = DatelineOptions(
        ["--storage_option", "token=anon", "--storage_option", '{"endpoint_url": "http://x"}']
    )
    assert options.storage_options_dict() == {"token": "anon", "endpoint_url": "http://x"}


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--output", "out"], "--input"),
        (["--input", "seeds"], "--output"),
        (["--input", "seeds", "--output", "out", "--batch_size", "0"], "--batch_size"),
        (["--input", "seeds", "--output", "out", "--num_shards", "0"], "--num_shards"),
        (["--input", "seeds", "--output", "out", "--storage_option", "bad"], "--storage_option"),
    ],
)
def test_validation_names_the_flag(argv, flag):
    with pytest.raises(ValueError, match=flag):
        DatelineOptions(argv).validate_dateline()


def test_inputs_accumulate():
    options = DatelineOptions(["--input", "a/*.txt", "--input", "gs://b/c", "--output", "o"])
    assert options.inputs == ["a/*.txt", "gs://b/c"]


def worker_settings(argv):
    options = pipeline_main.pipeline_options(argv)
    direct = options.view_as(DirectOptions)
    return direct.direct_running_mode, direct.direct_num_workers


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], ("multi_processing", 2)),
        (["--direct_num_workers=1"], ("in_memory", 1)),
        (["--direct_running_mode", "in_memory"], ("in_memory", 1)),
        (["--streaming"], ("in_memory", 1)),
        (["--runner=PortableRunner"], ("in_memory", 1)),
    ],
)
def test_a_local_batch_run_uses_every_core_unless_told(monkeypatch, extra, expected):
    monkeypatch.setattr(pipeline_main, "usable_cores", lambda: 2)
    assert worker_settings(["--input", "in", "--output", "out", *extra]) == expected


def test_memory_paths_keep_one_process(monkeypatch):
    monkeypatch.setattr(pipeline_main, "usable_cores", lambda: 2)
    argv = ["--input", "memory://in/*.txt", "--output", "out"]
    assert worker_settings(argv) == ("in_memory", 1)


def test_one_core_keeps_one_process(monkeypatch):
    monkeypatch.setattr(pipeline_main, "usable_cores", lambda: 1)
    assert worker_settings(["--input", "in", "--output", "out"]) == ("in_memory", 1)
