"""What both pipelines stand on: config, errors, the entry file format, the library folder, files, locks, processes."""
