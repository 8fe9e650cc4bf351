# Two entry points for everyone: `make reports` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install reports test test-quick golden gallery wheel constraints clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt scripts/install-system-deps.sh
	./scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
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

wheel: install             ## the package for a caisse's own folder: dist/reportgen-….whl, with constraints.txt beside it
	rm -rf dist
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .
	rm -rf build/lib build/bdist.*   # setuptools' scratch folders, not reports
	cp constraints.txt dist/

constraints: install       ## pin the versions now installed (after an upgrade that passes every test)
	{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v -i '^\(reportgen\|pip\|setuptools\)=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf build/*/ $(VENV)
