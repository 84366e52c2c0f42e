"""What a page is: the site model, view data, templates, markup and sanitising, feeds and exports."""
