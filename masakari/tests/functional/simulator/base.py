"""A running NovaSimulator and clients for it, shared by these tests."""

from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
from novaclient import client as nova_client

from masakari.simulator import NovaSimulator
from masakari.simulator import Settings

FAST = dict(evacuate_duration=0.1, stop_duration=0.05, start_duration=0.05,
            boot_duration=0.05)


def start_simulator(hosts=('compute1', 'compute2', 'compute3'),
                    **settings):
    sim = NovaSimulator('127.0.0.1', 0, seed=3, **dict(FAST, **settings))
    sim.start()
    for name in hosts:
        sim.state.add_host(name, vcpus=8, memory_mb=16384)
    return sim


def fresh(sim, hosts=('compute1', 'compute2', 'compute3'), **settings):
    """Reuse a running simulator: empty it, restore timings, add hosts.

    Stopping the HTTP server costs half a second, so the tests share one
    per module and start each test from a clean cloud.
    """
    sim.state.reset()
    sim.state.configure(**dict(Settings().as_json(), **FAST, **settings))
    for name in hosts:
        sim.state.add_host(name, vcpus=8, memory_mb=16384)
    return sim


def novaclient(sim, version='2.53', timeout=None):
    """novaclient as masakari uses it: a session and endpoint_override."""
    session = ks_session.Session(auth=noauth.NoAuth(), timeout=timeout)
    return nova_client.Client(version, session=session,
                              endpoint_override=sim.url)
