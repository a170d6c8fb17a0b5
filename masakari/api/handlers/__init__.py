"""Handlers of the v1 API, one module per resource.

A handler is ``handler(req, **url_args) -> (status, body)``: it authorizes
with ``policy.authorize``, validates ``req.data`` against a schema of
``masakari.api.schemas``, calls ``masakari.ha`` (the business rules) and
returns the view.
"""
