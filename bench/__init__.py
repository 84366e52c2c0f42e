"""The papershelf benchmark: synthetic reading lists built by papershelf and by Hugo (see run.py)."""
