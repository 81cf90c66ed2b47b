"""storage: one code path over local disk and memory:// (gs:// has its own tests)."""

import bz2
import datetime
import gzip
import os

import fsspec
import pytest

from transforms import storage


@pytest.fixture
def landing(tmp_path):
    (tmp_path / "a.txt").write_text("alpha")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt.gz").write_bytes(gzip.compress(b"beta"))
    (tmp_path / "sub" / "c.txt.bz2").write_bytes(bz2.compress(b"gamma"))
    (tmp_path / ".DS_Store").write_bytes(b"junk")
    (tmp_path / "_SUCCESS").write_bytes(b"")
    stamp = datetime.datetime(2018, 10, 24, tzinfo=datetime.UTC).timestamp()
    os.utime(tmp_path / "a.txt", (stamp, stamp))
    return tmp_path


def test_glob_lists_files_with_size_and_mtime(landing):
    (source,) = storage.expand_input(str(landing / "*.txt"))
    assert source.uri == f"file://{landing}/a.txt"
    assert source.size == 5
    assert source.modified == datetime.datetime(2018, 10, 24, tzinfo=datetime.UTC)


def test_relative_parts_are_resolved_in_uris(landing):
    (source,) = storage.expand_input(str(landing / "sub" / ".." / "*.txt"))
    assert source.uri == f"file://{landing}/a.txt"


def test_directory_means_every_visible_file_below_it(landing):
    names = [source.uri.rsplit("/", 1)[1] for source in storage.expand_input(str(landing))]
    assert names == ["a.txt", "b.txt.gz", "c.txt.bz2"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", {"a.txt"}),
        ("**", {"a.txt", "b.txt.gz", "c.txt.bz2"}),
        ("*/*", {"b.txt.gz", "c.txt.bz2"}),
        ("**/*.gz", {"b.txt.gz"}),
    ],
)
def test_a_glob_skips_hidden_names_as_a_directory_does(landing, pattern, expected):
    (landing / "sub" / "_partial.txt.gz").write_bytes(gzip.compress(b"upload"))
    (landing / ".cache").mkdir()
    (landing / ".cache" / "x.txt.gz").write_bytes(gzip.compress(b"cached"))
    sources = storage.expand_input(str(landing / pattern))
    assert {source.uri.rsplit("/", 1)[1] for source in sources} == expected


def test_a_glob_that_writes_the_dot_or_underscore_asks_for_those_names(landing):
    names = [source.uri.rsplit("/", 1)[1] for source in storage.expand_input(str(landing / "_*"))]
    assert names == ["_SUCCESS"]
    names = [source.uri.rsplit("/", 1)[1] for source in storage.expand_input(str(landing / ".*"))]
    assert names == [".DS_Store"]
    (source,) = storage.expand_input(str(landing / ".DS_Store"))
    assert source.size == 4


def test_symlinks_are_inputs_and_broken_ones_fail_to_read(landing):
    (landing / "link.txt").symlink_to(landing / "a.txt")
    (landing / "broken.txt").symlink_to(landing / "missing.txt")
    sources = {
        source.uri.rsplit("/", 1)[1]: source for source in storage.expand_input(str(landing))
    }
    assert set(sources) == {"a.txt", "b.txt.gz", "broken.txt", "c.txt.bz2", "link.txt"}
    assert (sources["link.txt"].size, sources["broken.txt"].size) == (5, None)
    assert sources["broken.txt"].modified is None  # the link's own time says nothing
    assert storage.read_bytes(str(landing / "link.txt")) == b"alpha"
    with pytest.raises(FileNotFoundError):
        storage.read_bytes(str(landing / "broken.txt"))


def test_compressed_files_are_decompressed(landing):
    assert storage.read_bytes(str(landing / "sub" / "b.txt.gz")) == b"beta"
    assert storage.read_bytes(f"file://{landing}/sub/c.txt.bz2") == b"gamma"


def test_pattern_without_matches_is_empty(landing):
    assert storage.expand_input(str(landing / "*.nothing")) == []


def test_memory_filesystem_round_trip():
    storage.write_atomically("memory://storage-test/x/y.bin", b"payload")
    assert storage.read_bytes("memory://storage-test/x/y.bin") == b"payload"
    (source,) = storage.expand_input("memory://storage-test/x/*.bin")
    assert source.uri == "memory:///storage-test/x/y.bin"
    assert source.modified is not None


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "t" / "part.parquet"
    storage.write_atomically(str(target), b"1234")
    assert target.read_bytes() == b"1234"
    assert sorted(path.name for path in target.parent.iterdir()) == ["part.parquet"]


def test_failed_write_leaves_nothing_where_readers_look(tmp_path, monkeypatch):
    target = tmp_path / "t" / "part.parquet"
    local = fsspec.filesystem("file")

    def broken_move(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(local), "mv", broken_move)
    with pytest.raises(OSError):
        storage.write_atomically(str(target), b"1234")
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"mtime": 0.0}, datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)),
        (
            {"updated": "2018-10-23T10:00:00.123Z"},
            datetime.datetime(2018, 10, 23, 10, 0, 0, 123000, tzinfo=datetime.UTC),
        ),
        (
            {"created": datetime.datetime(2018, 1, 1)},
            datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC),
        ),
        ({}, None),
    ],
)
def test_modified_time_across_backends(info, expected):
    assert storage.modified_time(info) == expected
