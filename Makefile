# dateline: `make run` sets up .venv and runs the pipeline on seeds/; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test lint format bench clean browser

$(VENV)/.installed: setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Seed 000's dateline has no year; it comes from the file's modified time,
# which a fresh clone sets to now. Stamp it with when the story was filed.
run: $(VENV)/.installed
	touch -d 2018-10-24T09:30:00Z seeds/000_ecb1709d6c659af1.txt
	$(BIN)/dateline run --input 'seeds/*.txt' --output $(OUT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# tests/test_report.py loads the report in a real headless browser: Debian's
# Chromium build, installed with apt when missing (CI runs as root).
browser:
	@command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium-headless-shell >/dev/null; }

test: lint browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
