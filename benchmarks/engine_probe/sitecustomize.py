"""Starts ``cpu_probe`` in a process run with this directory on its
PYTHONPATH and ``MASAKARI_CPU_PROBE`` naming the file to write (what
``benchmarks.cpu_budget`` does to the engine it measures)."""

import os

if os.environ.get('MASAKARI_CPU_PROBE'):
    import cpu_probe

    cpu_probe.start(os.environ['MASAKARI_CPU_PROBE'])
