# Two entry points for everyone: `make reports` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install reports test test-quick golden gallery clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/install-system-deps.sh
	./scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

reports: install           ## build every edition's PDF into build/
	$(BIN)/reportgen build

test: install $(VENV)/.test-tools   ## run the test suite
	$(BIN)/python -m pytest

test-quick: install        ## the tests without the slow ones (browser, reference editions), for a quick loop
	$(BIN)/python -m pytest -m "not slow"

$(VENV)/.test-tools: scripts/install-test-deps.sh tests/browser/package-lock.json
	./scripts/install-test-deps.sh
	touch $@

golden: install            ## accept the current HTML and cover image as the new references
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py tests/test_pdf.py

gallery: reports           ## the README's pictures: each edition's cover and a spread, in docs/gallery/
	$(BIN)/python scripts/gallery.py

clean:
	rm -rf build/*/ $(VENV)
