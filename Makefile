# make demo: install, then run the main job (a closed-loop study on the embedded SQLite store).
# make test: install, then run the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OPSNN := $(VENV)/bin/opsnn
DEMO_STUDY ?= demo-ai-5hz
DEMO_TRIALS ?= 30
DEMO_WORKERS ?= 2

.PHONY: install demo test lint notebooks clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock examples/opsnn_ring/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	# The example plug-in package (a model and a metric): the tests drive it as a user would.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e examples/opsnn_ring
	touch $@

demo: install
	$(OPSNN) study create $(DEMO_STUDY) --space search_spaces/balanced_ai.toml \
		--objective objectives/ai_5hz.toml --sampler tpe --seed 1 --load-if-exists
	$(OPSNN) study run $(DEMO_STUDY) --n-trials $(DEMO_TRIALS) --workers $(DEMO_WORKERS)

# Two test processes (pytest-xdist); tests/conftest.py keeps the timer-bound modules on one of them.
TEST_PROCESSES ?= 2

test: install
	$(PY) -m pytest -q -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check opsnn_opt tests examples notebooks
	$(VENV)/bin/ruff format --check opsnn_opt tests examples notebooks
	$(VENV)/bin/lint-imports

# Every notebook at full scale, executed into notebooks/_build/ as HTML (the tests run them at QUICK scale).
notebooks: install
	cd notebooks && ../$(VENV)/bin/jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=3600 \
		--output-dir _build [0-9]*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
