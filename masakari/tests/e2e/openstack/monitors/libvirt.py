"""A libvirtd of the test's own, and diskless QEMU (TCG) guests in it.

libvirtd and virtlogd run as root (``qemu:///system``) in a private mount
namespace, over empty tmpfs on libvirt's state directories and the test's
own configuration bound on ``/etc/libvirt``: nothing system-wide is read
or left behind, and no systemd is needed. Only the client socket lives
outside the namespace, in the test's directory, where virsh and the
instance monitor reach it by ``qemu:///system?socket=...``.
"""

import os
import pathlib
import signal
import subprocess
import time

from masakari.tests.e2e.conftest import Service

STATE_DIRS = ('/run/libvirt', '/var/lib/libvirt', '/var/log/libvirt',
              '/var/cache/libvirt')

LIBVIRTD_CONF = """\
unix_sock_dir = "{sock_dir}"
unix_sock_group = "root"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:stderr"
"""
# No cgroups, no per-guest mount namespace, no security driver: the
# harness runs in a container without systemd or AppArmor. QEMU runs as
# root, so that it reads guest kernels wherever the test keeps them.
QEMU_CONF = """\
user = "root"
group = "root"
cgroup_controllers = [ ]
namespaces = [ ]
security_driver = "none"
"""
VIRTLOGD_CONF = 'log_outputs = "3:stderr"\n'

# Mount the private state, then start virtlogd beside libvirtd.
START = """\
set -e
for dir in {state_dirs}; do
    mkdir -p "$dir"
    mount -t tmpfs -o mode=0755 tmpfs "$dir"
done
mount --bind "{etc}" /etc/libvirt
virtlogd --config /etc/libvirt/virtlogd.conf &
exec libvirtd --config /etc/libvirt/libvirtd.conf
"""

DOMAIN_XML = """\
<domain type='qemu'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
"""

# A guest that boots a kernel and answers the QEMU guest agent on the
# channel the introspective monitor looks for (its default
# qemu_guest_agent_sock_path matches Nova's naming).
AGENT_DOMAIN_XML = """\
<domain type='qemu'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>console=ttyS0 quiet</cmdline>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
    <serial type='file'><source path='{console}'/></serial>
    <channel type='unix'>
      <source mode='bind'
        path='/var/lib/libvirt/qemu/org.qemu.guest_agent.0.{name}.sock'/>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
  </devices>
</domain>
"""


class Libvirt:
    """The private libvirtd; ``stop()`` destroys its guests and ends it."""

    def __init__(self, workdir):
        self.workdir = pathlib.Path(workdir)
        self.sock_dir = self.workdir / 'sock'
        self.etc = self.workdir / 'etc'
        self.uri = 'qemu:///system?socket=%s' % (self.sock_dir /
                                                 'libvirt-sock')
        self.service = None

    def start(self, timeout=60):
        for path in (self.sock_dir, self.etc):
            path.mkdir(parents=True, exist_ok=True)
        (self.etc / 'libvirtd.conf').write_text(
            LIBVIRTD_CONF.format(sock_dir=self.sock_dir))
        (self.etc / 'qemu.conf').write_text(QEMU_CONF)
        (self.etc / 'virtlogd.conf').write_text(VIRTLOGD_CONF)
        script = self.workdir / 'start-libvirtd.sh'
        script.write_text(START.format(state_dirs=' '.join(STATE_DIRS),
                                       etc=self.etc))
        for path in STATE_DIRS:          # mount points must exist
            os.makedirs(path, exist_ok=True)
        self.service = Service(
            'libvirtd', ['unshare', '--mount', '--propagation', 'private',
                         'sh', str(script)],
            self.workdir / 'libvirtd.log')
        deadline = time.monotonic() + timeout
        while self.virsh('version', check=False).returncode:
            if not self.service.alive() or time.monotonic() > deadline:
                raise RuntimeError('libvirtd did not start:\n%s'
                                   % self.service.log()[-4000:])
            time.sleep(0.2)
        return self

    def virsh(self, *args, check=True):
        result = subprocess.run(['virsh', '-c', self.uri] + list(args),
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode:
            raise RuntimeError('virsh %s: %s' % (' '.join(args),
                                                 result.stderr.strip()))
        return result

    def create(self, name, uuid):
        """Start a transient diskless guest (it sits in SeaBIOS, finding
        nothing to boot, which is all a monitor needs)."""
        xml = self.workdir / ('%s.xml' % name)
        xml.write_text(DOMAIN_XML.format(name=name, uuid=uuid))
        self.virsh('create', str(xml))

    def create_with_agent(self, name, uuid, image):
        """Start a guest of ``image`` (guest.GuestImage) whose agent
        answers; returns its console log's path."""
        console = self.workdir / ('%s.console' % name)
        xml = self.workdir / ('%s.xml' % name)
        xml.write_text(AGENT_DOMAIN_XML.format(
            name=name, uuid=uuid, kernel=image.kernel, initrd=image.initrd,
            console=console))
        self.virsh('create', str(xml))
        return console

    def agent_answers(self, uuid):
        return self.virsh('qemu-agent-command', '--timeout', '2', uuid,
                          '{"execute": "guest-ping"}',
                          check=False).returncode == 0

    def state(self, uuid):
        """``(state, reason)`` as virsh words them, e.g. ``('shut off',
        'crashed')``; ``None`` once a transient guest is gone."""
        result = self.virsh('domstate', '--reason', uuid, check=False)
        if result.returncode:
            return None
        state, _sep, reason = result.stdout.strip().rpartition(' (')
        return state, reason.rstrip(')')

    def qemu_pid(self, uuid):
        """The pid of the guest's QEMU, found by its ``-uuid`` argument."""
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                    argv = handle.read().split(b'\0')
            except OSError:
                continue
            if b'-uuid' in argv and uuid.encode() in argv:
                return int(entry)
        return None

    def log(self):
        return self.service.log() if self.service else ''

    def stop(self):
        if self.service is None:
            return
        if self.service.alive():
            listed = self.virsh('list', '--uuid', check=False).stdout
            for uuid in listed.split():
                self.virsh('destroy', uuid, check=False)
        # virtlogd is in libvirtd's process group; QEMUs are destroyed.
        self.service.stop()


def kill_qemu(pid):
    """SIGKILL a QEMU, as a crash would end it."""
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()
