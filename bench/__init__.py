"""Benchmarks behind ``make bench`` (``python -m bench``): analytics queries over a
1,000,000-row ledger on SQLite and PostgreSQL, cold and warm, and the pipeline's
overhead on the offline engine. Figures are printed with their ratio to a baseline
measured in the same run, because these machines are noisy."""
