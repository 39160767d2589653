"""The model: the estimator (discover topics, describe them, let them evolve). No SQL, no files."""
