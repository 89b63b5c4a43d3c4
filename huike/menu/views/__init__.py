"""Console pages of the menu app, one module per sub-domain: dishes (list, form, availability
per store), categories, and the Excel export and import. Each view checks the page's
permission, reads through a selector and writes through a service."""
