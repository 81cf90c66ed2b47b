"""`dateline report`: a page that loads offline in a real headless browser, every chart drawn."""

import os
import re
import shutil
import subprocess

import pytest
from PIL import Image

from pipeline import main as pipeline_main
from pipeline import report
from tests.conftest import bbc_folder, copy_seeds

# Chromium from the distribution's packages; `make test` installs it (see the Makefile).
BROWSERS = ("chromium-headless-shell", "chromium", "google-chrome")
WIDTH = 1400


def _browser() -> str:
    found = os.environ.get("DATELINE_CHROMIUM") or next(filter(shutil.which, BROWSERS), None)
    assert found, "no headless Chromium: `make test` installs chromium-headless-shell"
    return found


def _chromium(page, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        + ["--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0", *flags]
        + [page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _sections(dom: str) -> dict[str, str]:
    return {
        found[1]: found[0]
        for found in re.finditer(
            r'<section class="chart" data-chart="([^"]+)".*?</section>', dom, re.S
        )
    }


# What plotly draws for each kind of trace once its script ran.
DRAWN_MARKS = re.compile(r'class="(?:point|js-line|hm)"|<path class="point"')


def check_in_browser(page, tmp_path) -> dict[str, str]:
    """Loads `page` the way a reader would; returns its chart sections after scripts ran."""
    net_log = tmp_path / "net.json"
    dumped = _chromium(page, f"--log-net-log={net_log}", "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    console = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console  # no errors, no warnings: the page logs nothing
    requested = re.findall(r'"url":"([a-z]+):', net_log.read_text())
    assert not [scheme for scheme in requested if scheme in {"http", "https", "ws", "wss"}]
    sections = _sections(dumped.stdout)
    assert sections, dumped.stdout[:2000]
    for key, section in sections.items():
        if 'data-drawn="true"' in section:
            assert "main-svg" in section and DRAWN_MARKS.search(section), key
        else:
            assert 'class="empty"' in section, key
    screenshot = tmp_path / "page.png"
    shot = _chromium(page, f"--window-size={WIDTH},4200", f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    pixels = Image.open(screenshot).convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 20) or []
    inked = sum(count for count, colour in colours if colour != (255, 255, 255))
    assert len(colours) > 50 and inked > 0.05 * pixels.width * pixels.height
    return sections


def test_the_seeds_report_loads_offline_and_draws_every_chart_with_data(seeds_run, tmp_path):
    _, output, _ = seeds_run
    page = tmp_path / "seeds.html"
    assert report.main([str(output), "--html", str(page)]) == 0
    sections = check_in_browser(page, tmp_path)
    drawn = {key for key, section in sections.items() if 'data-drawn="true"' in section}
    assert drawn == set(sections) - {"errors"}  # the seeds have no errors
    assert "No errors" in sections["errors"]
    assert "Nikolai Patrushev" in sections["together"] and "John Bolton" in sections["top-people"]


@pytest.fixture(scope="module")
def bbc_output(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    inputs = base / "in"
    for category in ("business", "politics", "tech"):
        bbc_folder(inputs / category, 20, category)
    copy_seeds(inputs / "wires")  # BBC stories name no agency and have no dateline
    (inputs / "empty.txt").write_text("")
    (inputs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    output = base / "out"
    outcome = pipeline_main.run(["--input", str(inputs), "--output", str(output)])
    assert outcome.manifest["rows"]["errors"] == 2
    assert outcome.manifest["rows"]["articles"] == 63
    return output


def test_the_bbc_report_draws_all_charts_errors_included(bbc_output, tmp_path):
    page = tmp_path / "bbc.html"
    assert report.main([str(bbc_output), "--html", str(page)]) == 0
    sections = check_in_browser(page, tmp_path)
    assert all('data-drawn="true"' in section for section in sections.values()), [
        key for key, section in sections.items() if 'data-drawn="true"' not in section
    ]
    assert len(sections) == 10
    # The map: country outlines filled from the page itself (land, then shades).
    assert sections["stories-per-country"].count('class="js-fill"') >= 3
    html = page.read_text()
    assert html.count("<script") >= 9 and 'src="http' not in html


def test_a_report_of_something_that_is_no_dataset_is_one_line_and_exit_2(tmp_path, capsys):
    assert report.main([str(tmp_path / "nowhere"), "--html", str(tmp_path / "r.html")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert report.main([str(tmp_path), "--html", str(tmp_path / "no" / "r.html")]) == 2
    assert capsys.readouterr().err.strip().endswith(f"the folder {tmp_path / 'no'} does not exist")


def test_the_page_says_what_it_shows(seeds_run, tmp_path):
    _, output, _ = seeds_run
    page = tmp_path / "seeds.html"
    report.main([str(output), "--html", str(page), "--title", "Seeds"])
    html = page.read_text()
    assert "<title>Seeds</title>" in html
    facts = {name: value for value, name in re.findall(r"<li><b>([^<]+)</b>([^<]+)</li>", html)}
    assert (facts["articles"], facts["stories"], facts["errors"]) == ("3", "3", "0")
    assert facts["published"].startswith("2018-08-24 to ")
