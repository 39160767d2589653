# The two commands the README starts with: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
TW := $(VENV)/bin/topicwatch
STAMP := $(VENV)/.installed
DEMO := demo

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, so nothing later pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	# Every other package at the version in constraints.txt: the same results on every machine.
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(TW) sample --out $(DEMO)/sample_articles.jsonl
	$(TW) --archive $(DEMO)/topicwatch.db ingest $(DEMO)/sample_articles.jsonl
	$(TW) --archive $(DEMO)/topicwatch.db fit --seed 0
	$(TW) --archive $(DEMO)/topicwatch.db topics
	$(TW) --archive $(DEMO)/topicwatch.db eval --label-field section
	$(TW) --archive $(DEMO)/topicwatch.db export --format seed --out $(DEMO)/out
	$(TW) --archive $(DEMO)/topicwatch.db show sample-001

test: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(DEMO) .pytest_cache
