"""The local preview: a server that rebuilds on change and reloads open pages."""
