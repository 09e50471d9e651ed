"""`build.py audit`: settlement exports (结算单) checked against the policy, a county's year at a time.

reading.py   CSV (UTF-8 or GBK) and .xlsx rows, one (line, cells) at a time
columns.py   the export's headers (settlement.yaml maps a hospital system's own), a row -> a slip
store.py     slips grouped by insured person on disk (SQLite), so memory does not grow with the file
run.py       read, group, compare (policy/settlement.py), write; shards and their merge
summary.py   the totals the report is drawn from (mergeable across shards)
report.py    report.html: tables and bar charts drawn at build time, readable on a phone
"""
