PY ?= python3

.PHONY: run api test deps lint eval bench

run:            ## install and open the chat on the bundled sample
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m streamlit run app.py

api:
	$(PY) -m uvicorn api:app --host 127.0.0.1 --port 8000

deps:
	bash scripts/install-test-deps.sh
	$(PY) -m pip install -q -r requirements-dev.txt

lint:          ## ruff over the tree, mypy over the pure core (schema, labels, vocabulary, ingest, retrieval, audit)
	$(PY) -m ruff check .
	$(PY) -m mypy

test: deps lint ## install everything the tests need, lint, run the whole suite
	$(PY) -m pytest -q

eval:          ## the dev sets, the handwritten sets and the generated evaluation (needs ../shared)
	PY=$(PY) bash scripts/eval.sh

bench:
	$(PY) bench/ingest_bench.py
	$(PY) bench/answer_bench.py
	$(PY) bench/audit_bench.py
