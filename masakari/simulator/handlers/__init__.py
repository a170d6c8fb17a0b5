"""Nova API handlers, one module per resource.

A handler takes the request context and URL parameters and returns
``(status, body)`` or ``(status, body, headers)``; errors are raised as
``masakari.simulator.errors.NovaError``.
"""
