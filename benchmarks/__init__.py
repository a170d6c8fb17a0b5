"""Benchmarks: recovery time and API latency, with the report they feed.

* ``python -m benchmarks.recovery``: a host with N HA-enabled instances
  fails; time until the last one is ACTIVE elsewhere, as the Nova simulator
  sees it, from the failure and from the POST, against the bound of its
  setting (idealised: ceil(N/P) * L; realistic: Nova's down time first;
  fenced: through a BMC emulator), with the commit, the engine options
  and the simulator settings it ran with, and its cost per instance.
* ``python -m benchmarks.api_load``: notification create/list/show latency
  and throughput under gunicorn, at several notification table sizes.
* ``python -m benchmarks.loadtest``: K host monitors post while operators
  page through the API; req/s, p50/p99 per request kind, errors, and
  whether every notification finished with each instance evacuated once.
* ``python -m benchmarks.reliability_report``: the figures of the fault
  tests and of the load test into
  ``doc/source/reference/reliability.rst``.
* ``python -m benchmarks.run_all``: both, then
  ``doc/source/reference/performance.rst`` and its plots. ``--quick``
  everywhere runs a reduced set in ~3 minutes.

Each script either points at running services (``--api-url``,
``--simulator-url``) or starts its own (``benchmarks.services``).
"""
