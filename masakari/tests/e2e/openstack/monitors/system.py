"""What the real monitors need from the machine: Debian packages and the
user libvirt runs QEMU as.

Installed only when missing and running as root (as CI does); otherwise
the caller skips, or fails under ``MASAKARI_TEST_REQUIRE_SERVERS=1``.
"""

import grp
import os
import pwd
import shutil
import subprocess

# Debian packages, by a file each one installs.
LIBVIRT_PACKAGES = {
    '/usr/sbin/libvirtd': 'libvirt-daemon',
    '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/'
    'libvirt_driver_qemu.so': 'libvirt-daemon-driver-qemu',
    '/usr/bin/virsh': 'libvirt-clients',
    '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
    # Headers and libvirt.pc: libvirt-python is built against them.
    '/usr/include/libvirt/libvirt.h': 'libvirt-dev',
    '/usr/bin/pkg-config': 'pkg-config',
}
# Debian's libvirt is built to run QEMU as libvirt-qemu:libvirt-qemu and
# its QEMU driver refuses to start without that user and group, even where
# qemu.conf names another (it resolves the built-in default first);
# libvirt-daemon-system would create them, with systemd units this harness
# does not use.
QEMU_USER = QEMU_GROUP = 'libvirt-qemu'


class Unavailable(Exception):
    """This machine cannot provide it (not root, or the install failed)."""


def missing_packages(wanted):
    return sorted({package for path, package in wanted.items()
                   if not os.path.exists(path)})


def ensure_packages(wanted):
    missing = missing_packages(wanted)
    if not missing:
        return
    if os.geteuid() != 0:
        raise Unavailable('missing Debian packages %s (not root)'
                          % ' '.join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    argv = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y',
            '-q', '--no-install-recommends'] + missing
    result = subprocess.run(argv, env=env, capture_output=True, text=True,
                            timeout=900)
    if result.returncode:
        # A stale package list: refresh it once and try again.
        subprocess.run(['apt-get', 'update', '-q'], env=env,
                       capture_output=True, timeout=600)
        result = subprocess.run(argv, env=env, capture_output=True,
                                text=True, timeout=900)
    if result.returncode:
        raise Unavailable('apt-get install %s failed:\n%s'
                          % (' '.join(missing), result.stdout[-2000:]
                             + result.stderr[-2000:]))


def ensure_qemu_user():
    """The libvirt-qemu user and group, as libvirt-daemon-system makes
    them (a system user in the kvm group, no home, no shell)."""
    for name, exists in ((QEMU_GROUP, _group_exists),
                         ('kvm', _group_exists)):
        if not exists(name):
            _root_run(['groupadd', '--system', name])
    try:
        pwd.getpwnam(QEMU_USER)
    except KeyError:
        _root_run(['useradd', '--system', '--no-create-home',
                   '--home-dir', '/var/lib/libvirt', '--shell',
                   shutil.which('nologin') or '/usr/sbin/nologin',
                   '--gid', 'kvm', '--groups', QEMU_GROUP, QEMU_USER])


def _group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _root_run(argv):
    if os.geteuid() != 0:
        raise Unavailable('%s needed (not root)' % ' '.join(argv))
    result = subprocess.run(argv, capture_output=True, text=True,
                            timeout=60)
    if result.returncode:
        raise Unavailable('%s: %s' % (' '.join(argv), result.stderr))
