"""A guest that answers the QEMU guest agent, for the introspective
instance monitor.

Debian's kernel (``linux-image-amd64``'s current image) boots an initramfs
made here: busybox (``busybox-static``), the virtio modules, and an init
that answers the agent's ``guest-sync`` and ``guest-ping`` on the
``org.qemu.guest_agent.0`` port, which is all the monitor asks. The
packages are fetched with ``apt-get download`` and unpacked, not
installed; the result (kernel and initramfs, ~10 MB) is cached under
``~/.cache/masakari-e2e`` by kernel version.
"""

import fcntl
import gzip
import hashlib
import os
import pathlib
import shutil
import subprocess
import tarfile
import tempfile

from masakari.tests.e2e.openstack.monitors import venv

# Load order (each after what it depends on).
MODULES = ('virtio_ring', 'virtio', 'virtio_pci_modern_dev',
           'virtio_pci_legacy_dev', 'virtio_pci', 'virtio_console')
READY = 'e2e-agent: answering on'
PINGED = 'e2e-agent: pinged'       # on the console, for each guest-ping

INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for module in %(modules)s; do
    insmod /lib/modules/$module.ko
done
port=
while [ -z "$port" ]; do
    for p in /sys/class/virtio-ports/*; do
        if [ "$(cat $p/name 2>/dev/null)" = org.qemu.guest_agent.0 ]; then
            port=/dev/${p##*/}
        fi
    done
    [ -n "$port" ] && [ -e "$port" ] || { port=; sleep 0.2; }
done
echo "%(ready)s $port" > /dev/ttyS0
# init must never end. A read ends when the host side is not connected:
# open the port again (one open for both ways: a virtio port opens once).
while true; do
    exec 3<>"$port"
    while read -r line <&3; do
        case "$line" in
        *guest-sync*)
            id=$(echo "$line" | sed 's/.*"id": *\\([0-9]*\\).*/\\1/')
            echo "{\\"return\\": $id}" >&3 ;;
        *guest-ping*)
            echo '{"return": {}}' >&3
            echo "%(pinged)s" > /dev/ttyS0 ;;
        *)
            echo '{"error": {"class": "CommandNotFound", "desc": "-"}}' >&3 ;;
        esac
    done
    exec 3<&-
    sleep 0.2
done
""" % {'modules': ' '.join(MODULES), 'ready': READY,
     'pinged': PINGED}


class Unavailable(Exception):
    pass


def _run(argv, cwd=None):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                            timeout=600)
    if result.returncode:
        output = result.stderr or result.stdout
        raise Unavailable('%s: %s' % (' '.join(argv), output[-1500:]))
    return result.stdout


def kernel_package():
    """The image package linux-image-amd64 currently depends on."""
    for line in _run(['apt-cache', 'depends', 'linux-image-amd64']).split(
            '\n'):
        line = line.strip()
        if line.startswith('Depends:') and 'linux-image-' in line:
            return line.split()[1]
    raise Unavailable('no linux-image-amd64 in the package lists '
                      '(apt-get update first)')


class GuestImage:
    """``kernel`` and ``initrd`` paths, built once per kernel package."""

    def __init__(self):
        self.package = kernel_package()
        recipe = hashlib.sha256((INIT + repr(MODULES)).encode())
        self.path = venv.cache_root() / ('guest-%s-%s' % (
            self.package, recipe.hexdigest()[:8]))
        self.kernel = self.path / 'vmlinuz'
        self.initrd = self.path / 'initrd.gz'

    def ensure(self):
        if self.initrd.exists():
            return self
        os.makedirs(venv.cache_root(), exist_ok=True)
        with open(str(self.path) + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.initrd.exists():
                with tempfile.TemporaryDirectory() as work:
                    self._build(pathlib.Path(work))
        return self

    def _build(self, work):
        _run(['apt-get', 'download', self.package, 'busybox-static'],
             cwd=work)
        root = work / 'root'
        for name in ('bin', 'lib/modules', 'proc', 'sys', 'dev'):
            (root / name).mkdir(parents=True)
        kernel = work / 'vmlinuz'
        wanted = {m + '.ko' for m in MODULES}
        for member, data in _debian_files(next(work.glob('linux-image-*'))):
            base = member.rsplit('/', 1)[-1]
            if member.startswith('./boot/vmlinuz-'):
                kernel.write_bytes(data)
            elif '/kernel/drivers/' in member and base in wanted:
                (root / 'lib' / 'modules' / base).write_bytes(data)
        for member, data in _debian_files(next(work.glob('busybox-static*'))):
            if member == './bin/busybox':
                (root / 'bin' / 'busybox').write_bytes(data)
        (root / 'bin' / 'busybox').chmod(0o755)
        missing = wanted - {p.name for p in (root / 'lib/modules').iterdir()}
        if missing or not kernel.exists():
            raise Unavailable('%s lacks %s' % (self.package, sorted(
                missing) or 'a kernel'))
        (root / 'init').write_text(INIT)
        (root / 'init').chmod(0o755)
        listing = '\n'.join(str(p.relative_to(root)) for p in
                            sorted(root.rglob('*'))) + '\n'
        archive = subprocess.run(
            [str(root / 'bin' / 'busybox'), 'cpio', '-o', '-H', 'newc'],
            cwd=root, input=listing.encode(), capture_output=True,
            check=True).stdout
        staging = pathlib.Path(str(self.path) + '.new')
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        shutil.copy(kernel, staging / 'vmlinuz')
        with gzip.open(staging / 'initrd.gz', 'wb', compresslevel=1) as out:
            out.write(archive)
        shutil.rmtree(self.path, ignore_errors=True)
        staging.rename(self.path)


def _debian_files(deb):
    """``(member, bytes)`` of the regular files in a .deb's data."""
    unpack = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', str(deb)],
                              stdout=subprocess.PIPE)
    with tarfile.open(fileobj=unpack.stdout, mode='r|') as archive:
        for member in archive:
            if member.isfile() and (member.name.startswith('./boot/vmlinuz')
                                    or member.name.endswith('.ko')
                                    or member.name == './bin/busybox'):
                yield member.name, archive.extractfile(member).read()
    unpack.wait()
