"""The OpenStack-lite stack as the end-to-end tests see it.

``Stack.start()`` brings up (or reuses) Keystone, Placement and Nova with
three fake-driver computes through ``tools/openstack-lite``, then runs this
project's ``masakari-api`` and ``masakari-engine`` against them, configured
as an operator would: Keystone auth, the stack's RabbitMQ, a MariaDB
database of their own, and the ``masakari`` service user for Nova.
"""

import datetime
import fcntl
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import openstack
import pytest

from masakari.tests.e2e.conftest import merged_options
from masakari.tests.e2e.conftest import Processes, wait_http
from masakari.tests.fixtures.bmc import write_inventory
from masakari.tests.fixtures import openstack_timings

REPO = pathlib.Path(__file__).resolve().parents[4]
TOOLS = REPO / 'tools' / 'openstack-lite'
ADMIN_CLOUD, MEMBER_CLOUD = 'e2e-admin', 'e2e-member'
DATABASE = 'masakari_e2e'
ENGINE_HOST = 'masakari-e2e'
COMPUTE_MICROVERSION = '2.74'    # >= 2.37 for --nic none, 2.74 for host=
TERMINAL = ('finished', 'error', 'failed', 'ignored')
RETURN_SEGMENT = 'e2e-return-to-service'
ORDERED_SEGMENT = 'e2e-restart-order'

# What this suite configures beyond the defaults, and why.
MASAKARI_OPTIONS = {
    'DEFAULT': {
        'host': ENGINE_HOST,
        # Lets the fixture know the engine consumes before tests notify.
        'rpc_ping_enabled': 'true',
    },
    # Nova's versioned notifications end each evacuation's wait.
    'nova_events': {'enabled': 'true'},
    'host_failure': {
        # The host monitor's STOPPED/NORMAL means the node is fenced: force
        # its service down so that Nova accepts the evacuations at once.
        'force_down_failed_host': 'true',
        # Only HA_Enabled servers move, so the tests can tell them apart.
        'evacuate_all_instances': 'false',
        # Restart order; only the order test's segment waits by level.
        'priority_metadata_key': 'HA_Priority',
        'wait_for_higher_priority_segments': ORDERED_SEGMENT,
    },
    # Only the return-to-service test's segment, with a short burn-in.
    'return_to_service': {'segments': RETURN_SEGMENT, 'burn_in': '3',
                          'check_interval': '1'},
}


_PING = """
import sys, time
from oslo_config import cfg
import oslo_messaging as messaging
cfg.CONF([], project='masakari-e2e-ping', default_config_files=[])
transport = messaging.get_rpc_transport(cfg.CONF, url=sys.argv[1])
client = messaging.get_rpc_client(
    transport, messaging.Target(exchange='masakari', topic='ha_engine'),
    timeout=2)
deadline = time.monotonic() + float(sys.argv[2])
while True:
    try:
        client.call({}, 'oslo_rpc_server_ping')
        sys.exit(0)
    except messaging.MessagingTimeout:
        if time.monotonic() > deadline:
            sys.exit('no answer')
"""


def load_oslite():
    spec = importlib.util.spec_from_file_location('oslite',
                                                  TOOLS / 'oslite.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def utcnow_iso():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None).isoformat()


def _cannot_run(message):
    if os.environ.get('MASAKARI_TEST_REQUIRE_SERVERS') == '1':
        pytest.fail(message + ' (MASAKARI_TEST_REQUIRE_SERVERS=1)')
    pytest.skip(message)


def _lock(path):
    handle = open(path, 'w')
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


class Stack:
    """The running stack, its clients and the steps the scenarios share."""

    def __init__(self, workdir):
        self.oslite = load_oslite()
        self.layout = self.oslite.Layout()
        self.workdir = workdir
        self.started_here = False
        self.processes = None
        self.facts = None
        self.conn = self.member = None
        self.api_url = None
        self.results = openstack_timings.Results()
        self._lock = None
        self._env_saved = False

    # ----------------------------------------------------------- setup
    def start(self):
        if os.environ.get('MASAKARI_TEST_SKIP_OPENSTACK') == '1':
            pytest.skip('MASAKARI_TEST_SKIP_OPENSTACK=1')
        os.makedirs(self.layout.base, exist_ok=True)
        # One stack per machine: a second session (or an xdist worker
        # that got these tests anyway) waits here and then reuses it.
        self._lock = _lock(os.path.join(self.layout.base, 'suite.lock'))
        self.results.reset()
        self._bring_up()
        self.facts = json.loads(pathlib.Path(
            self.layout.env_file).read_text())
        self._write_clouds_yaml()
        self.conn = self.connect(ADMIN_CLOUD)
        self.member = self.connect(MEMBER_CLOUD)
        for host in self.layout.computes:
            self.ensure_compute_healthy(host)
        self._start_masakari()

    def _bring_up(self):
        t0 = time.monotonic()
        running = self.oslite.controllers_running(self.layout)
        if not running and os.geteuid() != 0:
            missing = [n for n in ('mariadbd', 'rabbitmq-server', 'cc')
                       if not shutil.which(n, path=os.environ.get(
                           'PATH', '') + ':/usr/sbin:/sbin')]
            if missing:
                _cannot_run('OpenStack-lite needs %s (install.sh installs '
                            'them as root)' % ', '.join(missing))
        argv = [str(TOOLS / 'openstack-lite'), 'up']
        if not running and os.environ.get('MASAKARI_OSLITE_FRESH') != '0':
            argv.append('--fresh')      # new databases: a known start
        log_path = os.path.join(self.layout.base, 'up.log')
        with open(log_path, 'w') as log:
            result = subprocess.run(argv, stdout=log,
                                    stderr=subprocess.STDOUT, timeout=1200)
        self.started_here = not running     # stop() cleans up a failed up
        output = pathlib.Path(log_path).read_text()
        if result.returncode == 3:
            _cannot_run('OpenStack-lite cannot be installed here:\n'
                        + output)
        if result.returncode:
            raise RuntimeError('openstack-lite up failed:\n' + output)
        elapsed = time.monotonic() - t0
        if running:
            self.results.record('stack', 'reused a running stack',
                                round(elapsed, 1))
        else:
            facts = json.loads(pathlib.Path(
                self.layout.env_file).read_text())
            self.results.record('stack', 'bring-up (openstack-lite up)',
                                facts.get('bringup_seconds'))
            self.results.record('stack', 'install + bring-up',
                                round(elapsed, 1))

    def _write_clouds_yaml(self):
        path = self.workdir / 'clouds.yaml'
        path.write_text(self.oslite.clouds_yaml(
            self.layout, admin_cloud=ADMIN_CLOUD, member_cloud=MEMBER_CLOUD))
        self.clouds_yaml = str(path)
        self._saved_env = os.environ.get('OS_CLIENT_CONFIG_FILE')
        self._env_saved = True
        os.environ['OS_CLIENT_CONFIG_FILE'] = self.clouds_yaml

    def connect(self, cloud):
        conn = openstack.connect(cloud=cloud)
        conn.compute.default_microversion = COMPUTE_MICROVERSION
        return conn

    def restart_masakari(self, options=None):
        """masakari-api and -engine again, on a new database, with
        ``options`` ({section: {name: value}}) over the suite's."""
        if self.processes is not None:
            self.processes.stop_all()
        self._start_masakari(options)

    def _start_masakari(self, options=None):
        oslite, layout = self.oslite, self.layout
        port = layout.ports['masakari']
        if oslite.port_open(port):
            raise RuntimeError('port %d of the instance-ha endpoint is in '
                               'use: a masakari-api left running?' % port)
        oslite.mysql(layout, 'DROP DATABASE IF EXISTS %s; CREATE DATABASE '
                     '%s CHARACTER SET utf8mb4' % (DATABASE, DATABASE))
        # Fencing is on, for the hosts a test lists (none at first).
        self.bmc_inventory = self.workdir / 'bmc-inventory.yaml'
        write_inventory(self.bmc_inventory, {})
        conf = self.workdir / 'masakari.conf'
        conf.write_text(oslite.masakari_conf(
            layout, layout.db_url(DATABASE, charset='utf8mb4'),
            extra=merged_options(MASAKARI_OPTIONS, {'fencing': {
                'bmc_inventory_file': str(self.bmc_inventory)}},
                options or {})))
        self.masakari_conf = str(conf)
        self.processes = Processes(self.workdir)
        result = self.processes.run('masakari.cmd.manage', '--config-file',
                                    str(conf), 'db', 'sync')
        assert result.returncode == 0, result.stdout + result.stderr
        self.engine = self.processes.start(
            'masakari-engine', 'masakari.cmd.engine', '--config-file',
            str(conf))
        self.api = self.processes.start(
            'masakari-api', 'masakari.cmd.api', '--config-file', str(conf))
        self.api_url = layout.url('masakari')
        wait_http(self.api_url, self.api, timeout=60)
        self._wait_engine_consuming()

    def _wait_engine_consuming(self, timeout=60):
        """Until the engine answers an RPC ping: a notification cast
        before its queue exists would be lost. (A subprocess, since
        oslo.messaging registers some options on the global CONF only.)"""
        result = subprocess.run(
            [sys.executable, '-c', _PING, self.layout.transport_url,
             str(timeout)], capture_output=True, text=True,
            timeout=timeout + 30)
        if result.returncode:
            raise RuntimeError('masakari-engine does not answer RPC: %s\n%s'
                               % (result.stderr[-3000:], self.engine.log()))

    def stop(self):
        if self.processes is not None:
            self.processes.stop_all()
        if self.started_here and os.environ.get('MASAKARI_OSLITE_KEEP') != '1':
            subprocess.run([str(TOOLS / 'openstack-lite'), 'stop'],
                           capture_output=True, timeout=300)
        if self._env_saved:
            if self._saved_env is None:
                os.environ.pop('OS_CLIENT_CONFIG_FILE', None)
            else:
                os.environ['OS_CLIENT_CONFIG_FILE'] = self._saved_env
        if self._lock is not None:
            self._lock.close()

    # ----------------------------------------------------------- nova
    def openstack_cli(self, *args, cloud=ADMIN_CLOUD, check=True):
        cli = os.path.join(os.path.dirname(sys.executable), 'openstack')
        result = subprocess.run(
            [cli, '--os-cloud', cloud] + list(args), capture_output=True,
            text=True, timeout=120,
            env=dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds_yaml))
        if check and result.returncode:
            raise AssertionError('openstack %s: %s' % (' '.join(args),
                                                       result.stderr))
        return result

    def compute_service(self, host):
        services = list(self.conn.compute.services(
            binary='nova-compute', host=host))
        assert services, 'no nova-compute on %s' % host
        return services[0]

    def ensure_compute_healthy(self, host):
        """Running, up, enabled and not forced down (a previous session
        may have left it otherwise)."""
        service = self.compute_service(host)
        if (not self.oslite.pid_of(self.layout, host)
                or service.is_forced_down or service.status != 'enabled'
                or service.state != 'up'):
            self.restore_compute(host)

    def kill_compute(self, host):
        self.oslite.cmd_kill_compute(self.layout, host)
        return time.monotonic()

    def restore_compute(self, host, enable=True):
        t0 = time.monotonic()
        self.oslite.cmd_restore_compute(self.layout, host, enable=enable)
        return time.monotonic() - t0

    def boot(self, name, host, ha, **metadata):
        if ha:
            metadata['HA_Enabled'] = 'True'
        return self.conn.compute.create_server(
            name=name, image_id=self.facts['image_id'],
            flavor_id=self.conn.compute.find_flavor(
                self.facts['flavor'], ignore_missing=False).id,
            networks='none', host=host, metadata=metadata)

    def wait_servers(self, servers, status='ACTIVE', timeout=120):
        return [self.conn.compute.wait_for_server(
            s, status=status, wait=timeout, interval=0.5) for s in servers]

    def delete_servers(self, servers):
        for server in servers:
            self.conn.compute.delete_server(server, ignore_missing=True)
        for server in servers:
            self.conn.compute.wait_for_delete(server, interval=0.5, wait=120)

    def evacuations(self, server):
        return [a for a in self.conn.compute.server_actions(server)
                if a.action == 'evacuate']

    # ------------------------------------------------------- masakari
    def create_segment(self, name, recovery_method, hosts, reserved=()):
        segment = self.conn.instance_ha.create_segment(
            name=name, recovery_method=recovery_method,
            service_type='COMPUTE')
        for host in hosts:
            self.conn.instance_ha.create_host(
                segment.uuid, name=host, type='COMPUTE',
                control_attributes='SSH', reserved=host in reserved)
        return segment

    def delete_segment(self, segment):
        """Delete a segment a test made. A test that failed may leave a
        notification in ``error``, which holds the segment (409) and with
        it the compute names, which every later test needs as hosts: such
        notifications are marked ``failed`` in the database (there is no
        API for it) and the deletion is tried again."""
        try:
            self.conn.instance_ha.delete_segment(segment.uuid,
                                                 ignore_missing=True)
            return
        except openstack.exceptions.ConflictException:
            pass
        self.oslite.mysql(
            self.layout, "UPDATE notifications SET status = 'failed' WHERE "
            "failover_segment_uuid = '%s' AND status IN ('new', 'error')"
            % segment.uuid, database=DATABASE)
        self.conn.instance_ha.delete_segment(segment.uuid,
                                             ignore_missing=True)

    def notify(self, type, hostname, payload):
        return self.conn.instance_ha.create_notification(
            type=type, hostname=hostname, generated_time=utcnow_iso(),
            payload=payload)

    def wait_notification(self, notification, timeout=300):
        deadline = time.monotonic() + timeout
        while True:
            current = self.conn.instance_ha.get_notification(
                notification.notification_uuid)
            if current.status in TERMINAL:
                return current
            if time.monotonic() > deadline:
                raise AssertionError(
                    'notification %s still %s after %ds\n%s' % (
                        current.notification_uuid, current.status, timeout,
                        self.engine_log_tail()))
            time.sleep(0.5)

    def workflow_details(self, notification):
        """``{task name: [messages]}`` of the notification's latest
        attempt, as the API shows them (microversion 1.1)."""
        body = self.conn.instance_ha.get(
            '/notifications/%s' % notification.notification_uuid,
            microversion='1.1').json()['notification']
        return {task['name']: [item['message'] for item in
                               task.get('progress_details') or []]
                for task in body.get('recovery_workflow_details') or []}

    def failure_report(self, notification):
        """Why a recovery did not finish, most telling first: the steps
        that did not succeed as the API reports them (microversion 1.1),
        then the masakari services' warnings and errors, then their logs'
        tail."""
        lines = ['notification %s ended %s' % (
            notification.notification_uuid, notification.status)]
        try:
            body = self.conn.instance_ha.get(
                '/notifications/%s' % notification.notification_uuid,
                microversion='1.1').json()['notification']
            for task in body.get('recovery_workflow_details') or []:
                if task.get('state') == 'SUCCESS':
                    continue
                lines.append('%s %s:' % (task.get('name'), task.get('state')))
                lines += ['  ' + item.get('message', '')
                          for item in task.get('progress_details') or []]
        except Exception as exc:  # the report must not hide the failure
            lines.append('(no workflow details: %s)' % exc)
        logs = self.processes.logs() if self.processes else ''
        lines += [line for line in logs.splitlines()
                  if ' WARNING masakari' in line or ' ERROR ' in line][-40:]
        return '\n'.join(lines) + '\n' + self.engine_log_tail(4000)

    def evacuations_ended_by_events(self):
        """The servers whose evacuation the engine saw end through one of
        Nova's versioned notifications."""
        return set(re.findall(r"Evacuation of ([0-9a-f-]{36}) ended "
                              r"\(Nova's instance\.rebuild\.end event\)",
                              self.engine.log()))

    def engine_log_tail(self, chars=8000):
        if self.processes is None:
            return ''
        return self.processes.logs()[-chars:]
