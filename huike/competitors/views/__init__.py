"""Console pages of the competitors app: the list and form of competitors and partners, the
detail page with its notes and dishes (added inline through HTMX), and the price comparison."""
