"""Contest replay, the SQL store, reports, version comparison and the `csim` command line."""
