"""Evaluation helpers, outside the runtime package: scoring replies and rankings against question sets
(`answers`), replaying them through the answer engine on the shipped knowledge (`replay`), and the
masker's per-kind precision and recall over its labelled corpus (`masking`). Used by `make eval`, the
retrieval benchmark, `scripts.masking_report` and the tests."""
