"""masakari-monitors from PyPI, in a virtualenv of its own.

The monitors are a separate project with dependencies of their own
(eventlet among them), so they never share the test venv. The venv is
built once per monitors version, Python, pinned dependency set and
libvirt version, and cached under ``~/.cache/masakari-e2e`` (or
``$MASAKARI_MONITORS_VENV_CACHE``); concurrent sessions wait on a file
lock instead of building twice.
"""

import fcntl
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

VERSION = os.environ.get('MASAKARI_MONITORS_VERSION', '22.0.0')
CONSTRAINTS = pathlib.Path(__file__).with_name('constraints.txt')
BUILD_TIMEOUT = 900


class BuildError(Exception):
    pass


def cache_root():
    return pathlib.Path(os.environ.get('MASAKARI_MONITORS_VENV_CACHE')
                        or pathlib.Path.home() / '.cache' / 'masakari-e2e')


def libvirt_version():
    """The libvirt the bindings are built against (pkg-config), which is
    also the libvirt-python release to install."""
    result = subprocess.run(['pkg-config', '--modversion', 'libvirt'],
                            capture_output=True, text=True)
    if result.returncode:
        raise BuildError('libvirt development files are missing '
                         '(libvirt-dev): %s' % result.stderr.strip())
    return result.stdout.strip()


class MonitorsVenv:
    """The cached venv; ``ensure()`` builds it when its key changed."""

    def __init__(self, version=VERSION):
        self.version = version
        self.libvirt = libvirt_version()
        key = hashlib.sha256(('%s|%s|%s|%s' % (
            version, sys.version, self.libvirt,
            CONSTRAINTS.read_text())).encode()).hexdigest()[:12]
        self.path = cache_root() / ('masakari-monitors-%s-py%d.%d-%s' % (
            version, sys.version_info[0], sys.version_info[1], key))
        self.built_seconds = None

    def bin(self, name):
        return str(self.path / 'bin' / name)

    def ready(self):
        return (self.path / '.complete').exists()

    def ensure(self):
        if self.ready():
            return self
        os.makedirs(cache_root(), exist_ok=True)
        with open(str(self.path) + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.ready():
                self._build()
        return self

    def _build(self):
        t0 = time.monotonic()
        shutil.rmtree(self.path, ignore_errors=True)
        log = str(self.path) + '.pip.log'
        steps = [
            [sys.executable, '-m', 'venv', str(self.path)],
            [self.bin('pip'), 'install', '-q', '-c', str(CONSTRAINTS),
             'masakari-monitors==%s' % self.version,
             'libvirt-python==%s' % self.libvirt],
        ]
        with open(log, 'w') as out:
            for argv in steps:
                result = subprocess.run(argv, stdout=out,
                                        stderr=subprocess.STDOUT,
                                        timeout=BUILD_TIMEOUT)
                if result.returncode:
                    raise BuildError('%s failed:\n%s' % (
                        ' '.join(argv), pathlib.Path(log).read_text()[-3000:]))
        (self.path / '.complete').write_text(self.version + '\n')
        self.built_seconds = round(time.monotonic() - t0, 1)
