"""Emulated BMCs for the simulated hosts: what fencing powers off.

``redfish.RedfishBMC`` is a Redfish service on 127.0.0.1 (real HTTP, real
sushy on the client side) around a ``power.PowerModel``, the machine's
power with the faults a test or a benchmark asks for. The tests use them
through ``masakari.tests.fixtures.bmc``; the recovery benchmark starts one
per failed host and lets its power-off fail that host in the simulator.
The IPMI emulator stays with the tests (``masakari/tests/fixtures``).
"""
