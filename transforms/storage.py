"""One code path for every store: local paths, file://, memory://, gs://, any fsspec URL.

DoFns call these helpers instead of Beam's filesystems so that the same
storage options (an emulator endpoint, credentials) reach every read and
write, and so that `.gz` / `.bz2` inputs are decompressed transparently.

Example: `expand_input("seeds/*.txt")` lists
`SourceFile(uri='file:///.../seeds/000_ecb1709d6c659af1.txt', size=2909, modified=...)`.
"""

import contextlib
import dataclasses
import datetime
import os
import posixpath
import uuid
from collections.abc import Mapping

# gcsfs's experimental zonal/HNS bucket probing makes every call against a GCS
# emulator hang for a minute; it must be off before gcsfs is first imported.
# Users who need it can still set the variable themselves.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")

import fsspec  # noqa: E402 - must follow the environment default above
from fsspec.implementations.local import LocalFileSystem  # noqa: E402

StorageOptions = Mapping[str, object]


@dataclasses.dataclass(frozen=True)
class SourceFile:
    """One input file: where it is, how big, when it last changed (the date reference).

    `generation` is the object store's version of the object (GCS generation),
    None on file systems; with `size` and `modified` it tells whether a file
    changed since it was ingested. `size` and `modified` are None where there is
    no file to measure (a dangling symlink).
    """

    uri: str
    size: int | None
    modified: datetime.datetime | None
    generation: str | None = None


def filesystem(url: str, storage_options: StorageOptions | None = None):
    """(fsspec filesystem, path without protocol) for a URL or local path."""
    return fsspec.core.url_to_fs(url, **dict(storage_options or {}))


def join(base: str, *parts: str) -> str:
    """`join("gs://b/out", "articles", "x.parquet")` -> `gs://b/out/articles/x.parquet`."""
    return posixpath.join(base.rstrip("/"), *parts)


def modified_time(info: Mapping[str, object]) -> datetime.datetime | None:
    """A file's last-modified time as UTC, whatever the backend calls it.

    Local files report `mtime` (epoch seconds), GCS objects `updated` (RFC 3339),
    memory:// files `created` (a datetime).
    """
    for key in ("mtime", "updated", "LastModified", "last_modified", "created"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, datetime.datetime):
            moment = value
        elif isinstance(value, (int, float)):
            moment = datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
        elif isinstance(value, str):
            try:
                moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
        else:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC)
    return None


def _generation(info: Mapping[str, object]) -> str | None:
    """The object version where the store has one: GCS `generation`, S3 `VersionId`/ETag."""
    for key in ("generation", "VersionId", "version_id"):
        if info.get(key) not in (None, ""):
            return str(info[key])
    return None


def _is_hidden(path: str) -> bool:
    return any(part.startswith(_HIDDEN_PREFIXES) for part in path.split("/") if part)


_HIDDEN_PREFIXES = (".", "_")
_GLOB_CHARACTERS = "*?["


def _literal_prefix(pattern: str) -> str:
    """The folders of a glob before its first wildcard: `in/2026/*/x*.txt` -> `in/2026/`."""
    parts = pattern.split("/")
    for index, part in enumerate(parts):
        if any(character in part for character in _GLOB_CHARACTERS):
            return "/".join(parts[:index]) + "/"
    return pattern


def _hidden_by_wildcard(pattern: str):
    """A test of the names `pattern` matched: whether a wildcard matched a hidden or
    `_`-prefixed name in it, as a shell's `*` never matches `.bashrc`; a pattern that
    writes the `.` or `_` itself (`in/_staging/*`, `in/.*`) asks for those names."""
    prefix = _literal_prefix(pattern)
    asked = {
        part[0] for part in pattern[len(prefix) :].split("/") if part.startswith(_HIDDEN_PREFIXES)
    }

    def hidden(name: str) -> bool:
        return any(
            part.startswith(_HIDDEN_PREFIXES) and part[0] not in asked
            for part in name[len(prefix) :].split("/")
            if part
        )

    return hidden


def expand_input(pattern: str, storage_options: StorageOptions | None = None) -> list[SourceFile]:
    """The files a glob, a directory or a single path names, sorted by URI.

    Hidden and `_`-prefixed names (`.DS_Store`, `_SUCCESS`, in-progress uploads)
    are skipped below a directory and where a glob's wildcard would match them,
    unless the path or pattern names them itself.
    """
    fs, path = filesystem(pattern, storage_options)
    if isinstance(fs, LocalFileSystem):
        # `../corpus` must not leak into source_uri as `/work/app/../corpus`.
        path = os.path.normpath(path)
    if fs.isdir(path):
        details = fs.find(path, detail=True)
        base_hidden = _is_hidden(path)
        details = {
            name: info
            for name, info in details.items()
            if base_hidden or not _is_hidden(name[len(path) :])
        }
    else:
        hidden = _hidden_by_wildcard(path)
        details = {
            name: info for name, info in fs.glob(path, detail=True).items() if not hidden(name)
        }
    files = [
        _source_file(fs, name, info)
        for name, info in details.items()
        # Symlinks count too (local find() calls them "other"): a broken one
        # then fails to read and becomes an error row instead of vanishing.
        if info.get("type") != "directory"
    ]
    return sorted(files, key=lambda source: source.uri)


def _source_file(fs, name: str, info: Mapping[str, object]) -> SourceFile:
    uri = fs.unstrip_protocol(name)
    if info.get("type") == "other":
        # A symlink, as listed: its time is the link's own. Its target's size and
        # time say when the content changed; a dangling one has neither.
        try:
            info = fs.info(name)
        except FileNotFoundError:
            return SourceFile(uri=uri, size=None, modified=None, generation=None)
    return SourceFile(
        uri=uri,
        size=int(info.get("size") or 0),
        modified=modified_time(info),
        generation=_generation(info),
    )


# The most bytes one article file may hold once decompressed: a 5-million-character
# story is ~5 MB, and a `.gz` bomb (10 GB of zeros in 10 MB) stops here, so a
# worker never holds more than this of one file.
MAX_ARTICLE_BYTES = 64 * 2**20


class FileTooLarge(ValueError):
    """A file (after decompression) over `MAX_ARTICLE_BYTES`; the class is the error_class."""


def read_bytes(
    uri: str, storage_options: StorageOptions | None = None, limit: int | None = None
) -> bytes:
    """A file's content, decompressed when its name ends in `.gz`, `.bz2`, `.xz`, ...;
    with `limit`, `FileTooLarge` once it passes that many bytes (reading no further)."""
    with fsspec.open(uri, "rb", compression="infer", **dict(storage_options or {})) as handle:
        if limit is None:
            return handle.read()
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(
            f"over the limit of {limit // 2**20} MiB per article file"
            + (" once decompressed" if fsspec.utils.infer_compression(uri) else "")
        )
    return data


# Object stores publish an object only when its upload completes, so a direct
# write is already all-or-nothing there (and a rename would be a second copy).
ATOMIC_UPLOAD_PROTOCOLS = frozenset({"gs", "gcs", "s3", "s3a", "az", "abfs", "abfss", "memory"})


def _protocols(fs) -> set[str]:
    return {fs.protocol} if isinstance(fs.protocol, str) else set(fs.protocol)


def write_atomically(url: str, data: bytes, storage_options: StorageOptions | None = None) -> None:
    """Write `data` to `url` so that readers see the whole file or none of it.

    On file systems the bytes go to a hidden temporary name beside the target
    (ignored by `*.parquet` globs) and are renamed into place; object stores
    get one upload, which they publish only once complete.
    """
    fs, path = filesystem(url, storage_options)
    if _protocols(fs) & ATOMIC_UPLOAD_PROTOCOLS:
        fs.pipe_file(path, data)
        return
    directory, name = posixpath.split(path)
    fs.makedirs(directory, exist_ok=True)
    temporary = posixpath.join(directory, f".{name}.{uuid.uuid4().hex}.inprogress")
    try:
        fs.pipe_file(temporary, data)
        fs.mv(temporary, path)
    finally:
        if fs.exists(temporary):
            fs.rm(temporary)


def create_exclusive(url: str, data: bytes, storage_options: StorageOptions | None = None) -> None:
    """Publish `data` at `url` whole, or raise FileExistsError if anything is there already.

    The commit point of the dataset's log: two writers racing for one name,
    exactly one wins. Local files are written under a temporary name and
    hard-linked into place (link never replaces, and a crash mid-write leaves
    no partial file under the name); object stores get one upload with a
    does-not-exist precondition (GCS `ifGenerationMatch=0`).
    """
    fs, path = filesystem(url, storage_options)
    if not isinstance(fs, LocalFileSystem):
        fs.makedirs(posixpath.dirname(path), exist_ok=True)
        fs.pipe_file(path, data, mode="create")
        return
    directory, name = posixpath.split(path)
    os.makedirs(directory, exist_ok=True)
    temporary = posixpath.join(directory, f".{name}.{uuid.uuid4().hex}.inprogress")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)


def move(source: str, target: str, storage_options: StorageOptions | None = None) -> bool:
    """Move one file into place; False when `source` is gone and `target` exists (done before).

    Object stores copy server-side and delete; file systems rename.
    """
    fs, source_path = filesystem(source, storage_options)
    _, target_path = filesystem(target, storage_options)
    try:
        fs.makedirs(posixpath.dirname(target_path), exist_ok=True)
        fs.mv(source_path, target_path)
    except FileNotFoundError:
        if fs.exists(target_path):
            return False
        raise
    return True


def exists(url: str, storage_options: StorageOptions | None = None) -> bool:
    fs, path = filesystem(url, storage_options)
    return fs.exists(path)


def listdir(url: str, storage_options: StorageOptions | None = None) -> list[str]:
    """Base names of the entries directly in a folder; [] when it does not exist."""
    fs, path = filesystem(url, storage_options)
    # Object-store filesystems cache listings; a log read must see the newest commits.
    fs.invalidate_cache(path)
    try:
        return sorted(posixpath.basename(name.rstrip("/")) for name in fs.ls(path, detail=False))
    except FileNotFoundError:
        return []


def remove(url: str, storage_options: StorageOptions | None = None) -> None:
    """Delete one file; one already gone (a retried bundle) is fine."""
    fs, path = filesystem(url, storage_options)
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(path)


def glob(url: str, storage_options: StorageOptions | None = None) -> list[str]:
    """Full URLs of the files matching a glob."""
    fs, path = filesystem(url, storage_options)
    return [fs.unstrip_protocol(name) for name in fs.glob(path)]
