"""What both pipelines stand on: config, errors, the entry file format, files, locks, processes."""
