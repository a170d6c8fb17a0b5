"""A Nova compute API simulator for testing Instance HA.

It speaks enough of Nova's REST API (microversions 2.1-2.96) that
python-novaclient cannot tell it from Nova, keeps a simulated cloud in
memory (hosts, servers, aggregates), plays evacuations and power actions
out over time, and lets tests break things: fail hosts, slow down or fail
API calls, make evacuations fail or hang. See
doc/source/reference/simulator.rst.
"""

from masakari.simulator.server import NovaSimulator
from masakari.simulator.settings import Duration, Settings
from masakari.simulator.state import CloudState

__all__ = ['CloudState', 'Duration', 'NovaSimulator', 'Settings']
