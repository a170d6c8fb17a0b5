"""The monitors as processes, and the process the process monitor
watches.

The process monitor names the host it runs on by
``socket.gethostname()`` and has no option to say otherwise, so it runs
in a UTS namespace of its own (``unshare --uts``) whose hostname is the
compute it stands for. Everything else about it is as on a compute host.
"""

import re
import signal
import subprocess
import time
import uuid

from masakari.tests.e2e.conftest import Service

# ``hostname NAME`` in the new namespace, then the monitor itself.
_IN_UTS = ['unshare', '--uts', '--', 'sh', '-c',
           'hostname "$0" && exec "$@"']


class Monitor:
    """One masakari-monitors daemon, its log in the test's directory."""

    def __init__(self, venv, binary, conf, workdir, hostname=None,
                 prefix=()):
        argv = [venv.bin(binary), '--config-file', str(conf)]
        if hostname:
            argv = _IN_UTS + [hostname] + argv
        argv = list(prefix) + argv      # e.g. nsenter into a cluster node
        self.name = binary
        # The process monitor greps ``ps -ef``, which cuts its lines at
        # $COLUMNS: pytest-xdist's workers set it to 80, a daemon has none.
        self.service = Service(binary, argv, workdir / ('%s.log' % binary),
                               env={'COLUMNS': '4096'})

    def log(self):
        return self.service.log()

    def wait_log(self, pattern, timeout=60, what=None):
        """Until a line of the log matches ``pattern`` (a regex)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while not regex.search(self.log()):
            if not self.service.alive():
                raise AssertionError('%s exited:\n%s' % (self.name,
                                                         self.log()[-6000:]))
            if time.monotonic() > deadline:
                raise AssertionError('%s: no %s within %ss:\n%s' % (
                    self.name, what or repr(pattern), timeout,
                    self.log()[-6000:]))
            time.sleep(0.2)

    def report(self):
        return '==== %s ====\n%s' % (self.name, self.log()[-8000:])

    def stop(self):
        self.service.stop()


class WatchedProcess:
    """A stand-in for nova-compute: a script whose path is unique to the
    test (so that no other process matches it in ``ps -ef``) and whose
    name is ``nova-compute`` (what the monitor reports)."""

    def __init__(self, workdir):
        directory = workdir / ('masakari-e2e-%s' % uuid.uuid4().hex[:8])
        directory.mkdir()
        self.path = directory / 'nova-compute'
        self.path.write_text('#!/usr/bin/env python3\nimport signal\n'
                             'while True:\n    signal.pause()\n')
        self.path.chmod(0o755)
        self.process = None

    def start(self):
        self.process = subprocess.Popen([str(self.path)],
                                        start_new_session=True)
        return self

    def kill(self):
        """SIGKILL it and reap it; returns when it died (monotonic)."""
        killed_at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        return killed_at

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.kill()
