"""Fixtures of the API functional tests: a running API over real HTTP.

``api`` serves the real paste pipeline with ``auth_strategy = noauth2``;
``keystone_api`` with ``keystone``, authenticated by keystonemiddleware
against ``keystone`` (a fake Keystone over HTTP). Both use the database of
the ``database`` fixture, a Nova simulator (``nova``) for host names and
``engine`` (an RPC server recording what the API casts).
"""

import pytest

from masakari.compute import client as nova_client
from masakari.conf import CONF
from masakari import rpc
from masakari.simulator import server as simulator_server
from masakari.tests.functional.api import fixtures

COMPUTE_HOSTS = ('compute1', 'compute2', 'compute3', 'compute4')


@pytest.fixture
def nova(conf):
    """A Nova simulator with COMPUTE_HOSTS, used by the API's host check."""
    simulator = simulator_server.NovaSimulator().start()
    for name in COMPUTE_HOSTS:
        simulator.state.add_host(name)
    CONF.set_override('auth_type', 'none', 'nova')
    CONF.set_override('endpoint_override', simulator.url, 'nova')
    CONF.set_override('call_retries', 0, 'nova')
    nova_client.reset_clients()
    yield simulator
    nova_client.reset_clients()
    fixtures.stop_in_background(simulator)


@pytest.fixture
def engine(conf):
    recorder = fixtures.EngineRecorder()
    yield recorder
    recorder.stop()
    rpc.cleanup()


@pytest.fixture
def api(database, nova, engine):
    CONF.set_override('auth_strategy', 'noauth2')
    server = fixtures.ApiServer()
    yield server
    server.stop()


@pytest.fixture
def keystone(conf):
    fake = fixtures.FakeKeystone()
    fake.configure(CONF)
    yield fake
    fake.stop()
    fake.unconfigure(CONF)


@pytest.fixture
def keystone_api(database, nova, engine, keystone):
    CONF.set_override('auth_strategy', 'keystone')
    server = fixtures.ApiServer()
    yield server
    server.stop()


def pytest_collection_modifyitems(items):
    """openstacksdk warns about its own internals; not our concern."""
    for item in items:
        if '/functional/api/' in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings(
                'ignore::openstack.warnings.RemovedInSDK50Warning'))
