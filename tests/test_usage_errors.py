"""Bad usage: one line on stderr and exit 2 before any work (exit 1 for inputs that
match nothing), through the same `main` the `dateline run` command calls."""

import pytest

from pipeline import main as pipeline_main
from transforms import storage


def _fails_with(capsys, argv, status=2):
    assert pipeline_main.main(argv, prog="dateline run") == status
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("dateline run: error: ")
    return lines[0]


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("LONDON (Reuters) - Theresa May spoke.")
    return folder


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--num_shard", "2"], "unknown option --num_shard; did you mean --num_shards?"),
        (["--batchsize=8"], "did you mean --batch_size?"),
        (["--zzqx"], "unknown option --zzqx (see dateline run --help)"),
        (["second.txt"], "unexpected argument 'second.txt'"),
        (["--model", "no_such_model_pkg"], "--model no_such_model_pkg is not installed"),
        (["--run_id", "../../evil"], "is not a valid run id"),
        (["--run_id", ".hidden"], "is not a valid run id"),
        (["--batch_size", "0"], "--batch_size must be at least 1"),
        (["--progress", "bar"], "--progress must be one of auto, log, off, got 'bar'"),
        (["--language_models", "de"], "--language_models must be LANG=MODEL pairs"),
        (["--language_models", "german=x"], "with ISO 639-1 codes"),
        (
            ["--language_models", "fr=fr_core_news_sm"],
            "--language_models fr=fr_core_news_sm is not installed",
        ),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(capsys, tmp_path, inputs, extra, message):
    argv = ["--input", str(inputs), "--output", str(tmp_path / "out"), *extra]
    assert message in _fails_with(capsys, argv)
    assert not (tmp_path / "out" / "_runs").exists()


def test_beam_options_still_pass_through(capsys, tmp_path, inputs):
    argv = ["--input", str(inputs), "--output", str(tmp_path / "out"), "--dry_run=True"]
    argv += ["--experiments=use_runner_v2", "--direct_num_workers=1", "--max_num_workers", "3"]
    assert pipeline_main.main(argv) == 0
    assert "nothing ran" in capsys.readouterr().out


def test_an_output_that_is_a_file_is_refused(capsys, tmp_path, inputs):
    (tmp_path / "taken").write_text("not a folder")
    argv = ["--input", str(inputs), "--output", str(tmp_path / "taken")]
    assert "is a file; give a folder" in _fails_with(capsys, argv)


def test_an_output_that_cannot_be_written_is_refused(capsys, tmp_path, inputs):
    (tmp_path / "file").write_text("x")
    # Below a regular file nothing can be created, whoever runs the test (root too).
    argv = ["--input", str(inputs), "--output", str(tmp_path / "file" / "out")]
    assert "is not writable" in _fails_with(capsys, argv)


def test_a_missing_input_path_is_refused(capsys, tmp_path):
    argv = ["--input", str(tmp_path / "no-such-folder"), "--output", str(tmp_path / "out")]
    assert "no such file or folder" in _fails_with(capsys, argv)


def test_a_reused_run_id_is_refused(capsys, tmp_path, inputs):
    output = tmp_path / "out"
    storage.write_atomically(str(output / "_runs" / "nightly-1.json"), b"{}")
    argv = ["--input", str(inputs), "--output", str(output), "--run_id", "nightly-1"]
    assert "--run_id nightly-1 was already used" in _fails_with(capsys, argv)
    assert (output / "_runs" / "nightly-1.json").read_bytes() == b"{}"


@pytest.mark.slow
def test_inputs_that_match_nothing_exit_1_unless_allowed(capsys, tmp_path, inputs):
    argv = ["--input", str(inputs / "*.nothing"), "--output", str(tmp_path / "out")]
    argv += ["--direct_num_workers=1"]
    assert "no file matched --input" in _fails_with(capsys, argv, status=1)
    assert pipeline_main.main([*argv, "--allow_empty"]) == 0
    assert "WARNING: no file matched" in capsys.readouterr().out
