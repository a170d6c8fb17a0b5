"""Fixtures of the real-monitor scenarios (imported by the OpenStack
suite's conftest.py).

They install what is missing (Debian packages when root, the monitors'
venv from PyPI), start a private libvirtd, and stop whatever they
started. A failed test prints each monitor's own log.
"""

import os
import subprocess

import pytest

from masakari.tests.e2e.openstack.monitors import guest
from masakari.tests.e2e.openstack.monitors import libvirt as libvirt_
from masakari.tests.e2e.openstack.monitors import pacemaker
from masakari.tests.e2e.openstack.monitors import running
from masakari.tests.e2e.openstack.monitors import system
from masakari.tests.e2e.openstack.monitors import timings
from masakari.tests.e2e.openstack.monitors import venv as venv_
from masakari.tests.e2e.openstack.stack import _cannot_run

# libvirt-python needs the headers; the monitors need nothing else.
BUILD_PACKAGES = {path: package for path, package in
                  system.LIBVIRT_PACKAGES.items()
                  if package in ('libvirt-dev', 'pkg-config')}


@pytest.fixture(scope='session')
def monitors_venv():
    """masakari-monitors (pinned) in its cached venv."""
    try:
        system.ensure_packages(BUILD_PACKAGES)
        built = venv_.MonitorsVenv().ensure()
    except (system.Unavailable, venv_.BuildError) as exc:
        _cannot_run('masakari-monitors cannot be installed here: %s' % exc)
    if built.built_seconds is not None:
        timings.record('setup', 'build the masakari-monitors venv',
                       built.built_seconds)
    return built


@pytest.fixture(scope='session')
def libvirtd(tmp_path_factory):
    """A private libvirtd (QEMU/TCG) for the instance monitor."""
    try:
        system.ensure_packages(system.LIBVIRT_PACKAGES)
        system.ensure_qemu_user()
    except system.Unavailable as exc:
        _cannot_run('libvirt cannot run here: %s' % exc)
    daemon = libvirt_.Libvirt(tmp_path_factory.mktemp('libvirt'))
    try:
        yield daemon.start()
    finally:
        daemon.stop()


@pytest.fixture(scope='session')
def guest_image():
    """Kernel and initramfs of a guest whose QEMU agent answers."""
    try:
        try:
            return guest.GuestImage().ensure()
        except guest.Unavailable:
            if os.geteuid() != 0:
                raise
            # Package lists missing or stale: refresh them once.
            subprocess.run(['apt-get', 'update', '-q'], capture_output=True,
                           timeout=600)
            return guest.GuestImage().ensure()
    except guest.Unavailable as exc:
        _cannot_run('no guest image: %s' % exc)


@pytest.fixture
def cluster(tmp_path):
    """corosync/Pacemaker on two nodes, ``compute3`` (where the host
    monitor runs) and ``compute1`` (the one that fails)."""
    try:
        system.ensure_packages(pacemaker.PACKAGES)
    except system.Unavailable as exc:
        _cannot_run('Pacemaker cannot run here: %s' % exc)
    made = pacemaker.Cluster(tmp_path / 'cluster', ['compute3', 'compute1'])
    try:
        yield made.start()
    finally:
        made.stop()


@pytest.fixture
def watched_process(tmp_path):
    """The process monitor's nova-compute stand-in, running."""
    process = running.WatchedProcess(tmp_path).start()
    yield process
    process.stop()


@pytest.fixture
def monitors(monitors_venv, tmp_path, request):
    """Starts monitors for a test; stops them after it and prints their
    logs when it failed."""
    started = []

    def start(binary, conf, hostname=None, prefix=()):
        monitor = running.Monitor(monitors_venv, binary, conf, tmp_path,
                                  hostname=hostname, prefix=prefix)
        started.append(monitor)
        return monitor

    yield start
    for monitor in started:
        monitor.stop()
    report = getattr(request.node, 'rep_call', None)
    if report is not None and report.failed:
        for monitor in started:
            print(monitor.report())
