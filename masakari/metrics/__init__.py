"""Prometheus metrics: what each engine measures (``engine``), the HTTP
endpoint that serves them (``exporter``), and the API's view of the
database (``api``)."""
