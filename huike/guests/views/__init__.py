"""Console pages of the guests app, one module per sub-domain: the guest list and profile
(``guests``), the inline parts of a profile (``details``) and tags (``tags``). Each view checks
the page's permission, reads through a selector and writes through a service."""
