"""llmchat's benchmark harness: `make bench` (or `python -m benchmarks`); see docs/benchmarks.md."""
