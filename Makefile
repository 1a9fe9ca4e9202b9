# Shortcuts for the two scripts the README documents.
.PHONY: demo test bench
demo:
	./demo.sh
test:
	./test.sh
bench:
	.venv/bin/python -m tests.bench
