"""The generated evaluation: questions drawn from a store's own facts, asked of an Engine, reported per
document (`python -m evaluation [--store DIR] [--out report.json]`).

Families (evaluation/questions.toml holds the wording):

- row:        "<label>是多少？" for every distinct row label of the document, asked of that document.
- named:      the same with the body and year named ("上海市普陀区财政局2025年<label>是多少？", and short names
              people use: 区财政局, 财政局), asked of the whole store.
- colloquial: the everyday word of retrieval/lexicon/synonyms.tsv where the document prints the label it maps to.
- two:        "X和Y各是多少？": both figures must appear in the answer.
- notfound:   an item printed only in another document asked of this body by name, people (张三的工资是多少),
              plans (明年计划建几个公园): the answer must be "not found" (answerable false, no figure).

Which figure counts for a label (evaluation/inventory.py): the figure of the row's total column in its
table (the first column in print order named 合计/小计/总计/金额/预算数/决算数/…合计, else the row's first
column); a column-oriented table (三公 items as columns) gives one item per column. The same label printed
in several tables of one document with the same figure counts once; printed with different figures, each
of them is accepted. Labels that cannot be a question on their own (合计, 小计, 其他, pure numbers and
codes, column headers, a column part such as 购置费, rows with an empty total) are skipped and counted by reason.
"""
