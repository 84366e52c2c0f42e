"""When a page is rebuilt: the build driver, its cache and journal, the output plan, rendering, writing."""
