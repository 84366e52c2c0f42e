"""papershelf: pasted paper listings in, a Markdown reading list and a static site out."""

__version__ = "0.2.0"
