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

lint:
	$(PY) -m ruff check .

test: deps lint ## install everything the tests need, lint, run the whole suite
	$(PY) -m pytest -q

eval:
	$(PY) -m retrieval batch ../shared/eval/seed_dev.jsonl --store /tmp/budgetqa-eval > /tmp/seed_answers.jsonl
	$(PY) ../shared/eval/score.py ../shared/eval/seed_dev.jsonl /tmp/seed_answers.jsonl

bench:
	$(PY) bench/ingest_bench.py
	$(PY) bench/answer_bench.py
	$(PY) bench/audit_bench.py
