"""Fixtures of the end-to-end suite against a real OpenStack (Keystone,
Placement, Nova with the fake virt driver) brought up by
``tools/openstack-lite``, once per test run.

Under pytest-xdist all the tests here should run in one worker, in order:
use ``--dist loadfile`` (they live in one module). They also carry
``xdist_group('openstack')`` for ``--dist loadgroup``, which pytest-xdist
3.8 cannot honour on pytest 9 (it renames ``item._nodeid``, which pytest 9
no longer reads). Spread over several workers they still pass: a file lock
lets one worker's session use the stack at a time, at the cost of waiting
and of a second bring-up.
Environment:
  MASAKARI_TEST_SKIP_OPENSTACK=1  skip this suite
  MASAKARI_OSLITE_FRESH=0         when this run starts the stack, keep the
                                  databases of the last one (default: new)
  MASAKARI_OSLITE_KEEP=1          leave a stack this run started running
"""

import pytest

from masakari.tests.e2e.openstack.monitors.fixtures import (  # noqa: F401
    cluster, guest_image, libvirtd, monitors, monitors_venv, watched_process)
from masakari.tests.e2e.openstack.stack import Stack


def pytest_configure(config):
    # pytest-xdist registers it too; without xdist --strict-markers needs it.
    config.addinivalue_line('markers',
                            'xdist_group(name): run in one xdist worker')


@pytest.fixture(scope='session')
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp('openstack-e2e'))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    """Print the masakari services' logs when a test here fails."""
    yield
    report_ = getattr(request.node, 'rep_call', None)
    if report_ is not None and report_.failed and 'stack' in \
            request.fixturenames:
        stack = request.getfixturevalue('stack')
        print(stack.engine_log_tail(6000))


@pytest.fixture
def segment(stack, request):
    """An auto-recovery segment with every compute as a host."""
    made = stack.create_segment('e2e-%s' % request.node.name[:40], 'auto',
                                stack.layout.computes)
    yield made
    stack.delete_segment(made)


@pytest.fixture
def servers(stack):
    """Servers a test boots; deleted (and waited for) afterwards."""
    booted = []
    yield booted
    stack.delete_servers(booted)


@pytest.fixture
def restore(stack):
    """Computes a test kills or disables, put back afterwards."""
    hosts = []
    yield hosts
    for host in hosts:
        stack.ensure_compute_healthy(host)
