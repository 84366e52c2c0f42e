"""Dumps in, entries out: one parser per source format, identity and merge, the import job."""
