"""Root of the test tree: being here puts tests/ on sys.path, so shared helpers (pg_utils) import."""
