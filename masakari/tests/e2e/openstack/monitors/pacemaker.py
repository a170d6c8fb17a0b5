"""A two-node corosync/Pacemaker cluster on one machine, for the host
monitor.

Each node runs corosync and pacemakerd in a UTS namespace (its hostname
is a compute's name) and a mount namespace of its own: empty tmpfs on
``/run``, Pacemaker's and corosync's state directories, ``/dev/shm`` and
``/etc/libqb``, and its own ``/etc/corosync``. libqb is told to use
filesystem sockets (``/etc/libqb/force-filesystem-sockets``), so the
nodes' IPC lives in their private ``/run`` instead of the network
namespace's abstract sockets they share. Corosync (knet) talks over the
loopback, one address per node (127.0.0.2, 127.0.0.3, ...). The host
monitor joins its node's mount and UTS namespaces and keeps the machine's
network, where the API and Keystone listen.
"""

import os
import pathlib
import signal
import subprocess
import time

from masakari.tests.e2e.conftest import Service

PRIVATE_DIRS = ('/run', '/var/lib/pacemaker', '/var/lib/corosync',
                '/var/log', '/dev/shm', '/etc/libqb')
KNET_PORT = 5405
HOST_TMP = '/run/host-tmp'


def in_node(path):
    """Where a file of the machine's /tmp is seen inside a node."""
    path = str(path)
    if path.startswith('/tmp/'):
        return HOST_TMP + path[len('/tmp'):]
    return path

COROSYNC_CONF = """\
totem {{
    version: 2
    cluster_name: masakari-e2e
    transport: knet
    crypto_cipher: none
    crypto_hash: none
    token: 1000
}}
logging {{
    to_stderr: yes
    to_logfile: no
    to_syslog: no
}}
quorum {{
    provider: corosync_votequorum
    two_node: 1
    wait_for_all: 0
}}
nodelist {{
{nodes}
}}
"""
NODE = """\
    node {{
        name: {name}
        nodeid: {nodeid}
        ring0_addr: {address}
    }}"""

START = """\
set -e
hostname "{name}"
for dir in {private}; do
    mkdir -p "$dir"
    mount -t tmpfs -o mode=0755 tmpfs "$dir"
done
mount --bind "{etc}" /etc/corosync
# libqb puts its sockets in /tmp: a private one, with the machine's
# still reachable (for the monitor's files) under {host_tmp}.
mkdir -p {host_tmp}
mount --bind /tmp {host_tmp}
mount -t tmpfs -o mode=1777 tmpfs /tmp
chmod 1777 /dev/shm
touch /etc/libqb/force-filesystem-sockets
for dir in cib pengine blackbox cores; do
    mkdir -p /var/lib/pacemaker/$dir
done
cp /etc/corosync/cib.xml /var/lib/pacemaker/cib/cib.xml
mkdir -p /var/log/pacemaker /run/crm
chown -R hacluster:haclient /var/lib/pacemaker /var/log/pacemaker /run/crm
corosync -f &
until corosync-cfgtool -s >/dev/null 2>&1; do sleep 0.2; done
exec pacemakerd
"""

# The first configuration: no fencing device here (the host monitor's IPMI
# check is off too; the engine fences through its BMC inventory), and an
# election after 2 s instead of 20.
CIB = """\
<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
        <nvpair id="opt-deadtime" name="dc-deadtime" value="2s"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
"""

PACKAGES = {
    '/usr/sbin/corosync': 'corosync',
    '/usr/sbin/pacemakerd': 'pacemaker',
    '/usr/sbin/cibadmin': 'pacemaker-cli-utils',
    '/usr/bin/tcpdump': 'tcpdump',
}


class Node:
    def __init__(self, workdir, name, nodeid):
        self.name = name
        self.nodeid = nodeid
        self.address = '127.0.0.%d' % (nodeid + 1)
        self.workdir = workdir / name
        self.service = None

    def start(self, corosync_conf):
        etc = self.workdir / 'etc'
        etc.mkdir(parents=True, exist_ok=True)
        (etc / 'corosync.conf').write_text(corosync_conf)
        (etc / 'cib.xml').write_text(CIB)
        script = self.workdir / 'start.sh'
        script.write_text(START.format(name=self.name, etc=etc,
                                       private=' '.join(PRIVATE_DIRS),
                                       host_tmp=HOST_TMP))
        self.service = Service(
            'cluster-%s' % self.name,
            ['unshare', '--uts', '--mount', '--propagation', 'private',
             'sh', str(script)], self.workdir / 'node.log')

    @property
    def pid(self):
        """pacemakerd's pid: the way into this node's namespaces."""
        return self.service.process.pid

    def nsenter(self):
        return ['nsenter', '--target', str(self.pid), '--mount', '--uts',
                '--']

    def run(self, *argv, check=True):
        result = subprocess.run(self.nsenter() + list(argv),
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode:
            raise RuntimeError('%s on %s: %s' % (' '.join(argv), self.name,
                                                 result.stderr.strip()))
        return result

    def processes(self):
        """Every process in this node's mount namespace (corosync,
        pacemakerd and its daemons; not the monitor, which is in the
        test's care)."""
        try:
            mine = os.readlink('/proc/%d/ns/mnt' % self.pid)
        except OSError:
            return []                   # gone already
        if mine == os.readlink('/proc/self/ns/mnt'):
            return []                   # never the machine's own
        found = []
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    if os.readlink('/proc/%s/ns/mnt' % entry) == mine:
                        found.append(int(entry))
                except OSError:
                    continue
        return found

    def kill(self, exclude=()):
        """SIGKILL the node's cluster stack at once: a node that died."""
        killed_at = time.monotonic()
        for pid in self.processes():
            if pid not in exclude:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        return killed_at

    def log(self):
        return self.service.log() if self.service else ''


class Cluster:
    """``nodes`` named after computes; the first is the survivor."""

    def __init__(self, workdir, names):
        self.workdir = pathlib.Path(workdir)
        self.nodes = [Node(self.workdir, name, i + 1)
                      for i, name in enumerate(names)]

    def start(self, timeout=120):
        for path in PRIVATE_DIRS:            # mount points must exist
            os.makedirs(path, exist_ok=True)
        conf = COROSYNC_CONF.format(nodes='\n'.join(
            NODE.format(name=n.name, nodeid=n.nodeid, address=n.address)
            for n in self.nodes))
        for node in self.nodes:
            node.start(conf)
        self._wait(lambda: self._online() == {n.name for n in self.nodes},
                   timeout, 'every node online', self.nodes)
        return self

    def _online(self):
        result = self.nodes[0].run('crm_mon', '-1', '--output-as=xml',
                                   check=False)
        return {line.split('name="')[1].split('"')[0]
                for line in result.stdout.splitlines()
                if '<node name=' in line and 'online="true"' in line}

    def wait_offline(self, name, timeout=60):
        self._wait(lambda: name not in self._online(), timeout,
                   '%s offline in Pacemaker' % name, self.nodes[:1])

    def _wait(self, predicate, timeout, what, alive):
        deadline = time.monotonic() + timeout
        while not predicate():
            for node in alive:
                if not node.service.alive():
                    raise RuntimeError('%s exited while waiting for %s:\n%s'
                                       % (node.name, what, node.log()[-4000:]))
            if time.monotonic() > deadline:
                raise RuntimeError('no %s within %ss:\n%s' % (
                    what, timeout, self.logs()))
            time.sleep(0.5)

    def logs(self):
        return '\n'.join('==== %s ====\n%s' % (n.name, n.log()[-3000:])
                         for n in self.nodes)

    def stop(self):
        for node in self.nodes:
            if node.service is not None:
                node.kill()
                node.service.stop()
