"""Run mode: the plan's ready tasks carried out one at a time, each on its own branch, within
budgets (runner: the run; attempt: one task; records: what survives a crash)."""
