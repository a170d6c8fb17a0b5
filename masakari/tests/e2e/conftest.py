"""Fixtures that run masakari's real processes, as an operator runs them.

Each service is a separate process started from its console-script module
with a config file written for the test; logs go to files under the test's
temporary directory and are printed when a test fails.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests

from masakari.tests.fixtures import servers


class Service:
    """One running process and its log."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, 'w')
        self.process = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})), start_new_session=True)

    def alive(self):
        return self.process.poll() is None

    def log(self):
        with open(self.log_path) as handle:
            return handle.read()

    def signal(self, signum):
        if self.alive():
            os.killpg(self.process.pid, signum)

    def stop(self, timeout=15):
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(5)
        self._log.close()


def wait_http(url, service, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.alive():
            raise RuntimeError('%s exited:\n%s' % (service.name,
                                                   service.log()))
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError('%s did not answer at %s:\n%s'
                       % (service.name, url, service.log()))


class Processes:
    """Starts services and stops them all at teardown."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.services = []

    def start(self, name, module, *args, env=None):
        argv = [sys.executable, '-m', module, *args]
        service = Service(name, argv, self.tmp_path / ('%s.log' % name),
                          env=env)
        self.services.append(service)
        return service

    def run(self, module, *args):
        return subprocess.run([sys.executable, '-m', module, *args],
                              capture_output=True, text=True, timeout=120)

    def stop_all(self):
        for service in reversed(self.services):
            service.stop()

    def logs(self):
        return '\n'.join('==== %s ====\n%s' % (s.name, s.log()[-6000:])
                         for s in self.services)


@pytest.fixture
def processes(tmp_path, request):
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
    report = getattr(request.node, 'rep_call', None)
    if report is not None and report.failed:
        print(procs.logs())


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, 'rep_' + report.when, report)


@pytest.fixture(scope='session')
def rabbit_url():
    return servers.ensure_rabbitmq()


@pytest.fixture
def exchange():
    """A control exchange of the test's own, so tests share one broker."""
    return 'masakari_e2e_%s' % uuid.uuid4().hex[:8]
