#!/usr/bin/env bash
# The dev sets scored by ../shared/eval/score.py (the sample alone; every real PDF in one store), the generated
# evaluation over the real PDFs, and leave-one-body-out (the ranker fitted without each body, scored on it).
# Stores are rebuilt in a temp folder each run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
SHARED=../shared
out=$(mktemp -d /tmp/budgetqa-eval.XXXX)
export BUDGETQA_LOAD_SAMPLE=0
$PY -m corpus data/sample --store "$out/sample" > /dev/null
$PY -m corpus "$SHARED/corpus/real" --store "$out/real" --workers 2 > /dev/null || true   # the blank form is refused
$PY -m retrieval batch "$SHARED/eval/seed_dev.jsonl" --store "$out/sample" > "$out/seed.jsonl"
$PY "$SHARED/eval/score.py" "$SHARED/eval/seed_dev.jsonl" "$out/seed.jsonl" | tail -1
for set in real_dev real_dev2 real_dev3; do
  $PY -m retrieval batch "$SHARED/eval/$set.jsonl" --store "$out/real" > "$out/$set.jsonl"
  $PY "$SHARED/eval/score.py" "$SHARED/eval/$set.jsonl" "$out/$set.jsonl" | tail -1
done
for set in sample_paraphrase sample_citizen sample_citizen2; do
  $PY -m retrieval batch "evaluation/handwritten/$set.jsonl" --store "$out/sample" > "$out/$set.jsonl"
  $PY "$SHARED/eval/score.py" "evaluation/handwritten/$set.jsonl" "$out/$set.jsonl" | tail -1
done
for set in evaluation/handwritten/real_*.jsonl; do
  name=$(basename "$set" .jsonl)
  $PY -m retrieval batch "$set" --store "$out/real" > "$out/$name.jsonl"
  $PY "$SHARED/eval/score.py" "$set" "$out/$name.jsonl" | tail -1
done
$PY -m evaluation --store "$out/real" --show 3
$PY -m evaluation.lobo --real-store "$out/real" --sample-store "$out/sample" --generated 8 \
  "$SHARED"/eval/real_dev*.jsonl evaluation/handwritten/real_*.jsonl
echo "answers and stores in $out"
