"""Console pages of the organisation app, one module per sub-domain: brands, stores, the org
tree, staff and roles. Each view checks the page's permission, reads through a selector and
writes through a service (``huike.core.forms.run_service``)."""
