"""The reading list against online catalogues: the arXiv client, matching, the resolve and add jobs."""
