"""The ``instance_ha_ops`` plugin of the ``openstack`` CLI (masakari/cli)
run as the real ``openstack`` command against the running API.

The plugin's entry points are those of setup.cfg. When this checkout is
not installed with them (a shared virtualenv installed from another
checkout), the test puts a small ``.dist-info`` holding just those entry
points on the command's PYTHONPATH, so that OpenStackClient finds the
plugin as it would after ``pip install``; nothing is installed.
"""

import configparser
import importlib.metadata
import json
import os
import subprocess
import sys

import pytest

import masakari
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(masakari.__file__)))
GROUPS = ('openstack.cli.extension', 'openstack.instance_ha_ops.v1')
OPENSTACK = ('import sys; from openstackclient.shell import main; '
             'sys.exit(main(sys.argv[1:]))')


def _setup_cfg_entry_points():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, 'setup.cfg'))
    return {group: parser['entry_points'][group].strip()
            for group in GROUPS}


@pytest.fixture(scope='module')
def plugin_path(tmp_path_factory):
    """A PYTHONPATH on which OpenStackClient finds the plugin."""
    installed = {ep.name for ep in importlib.metadata.entry_points(
        group='openstack.cli.extension')}
    if 'instance_ha_ops' in installed:
        return ROOT
    base = tmp_path_factory.mktemp('ops-cli')
    info = base / 'masakari_ops_cli_plugin-0.0.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text('Metadata-Version: 2.1\n'
                                   'Name: masakari-ops-cli-plugin\n'
                                   'Version: 0.0\n')
    (info / 'entry_points.txt').write_text(''.join(
        '[%s]\n%s\n\n' % (group, text)
        for group, text in _setup_cfg_entry_points().items()))
    return os.pathsep.join((str(base), ROOT))


class Cli:
    def __init__(self, api, path):
        self.api = api
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env['PYTHONPATH'] = path

    def run(self, *args, check=True):
        cmd = [sys.executable, '-c', OPENSTACK, '--os-auth-type', 'none',
               '--os-endpoint', self.api.v1] + list(args)
        result = subprocess.run(cmd, capture_output=True, text=True,
                                timeout=120, env=self.env)
        if check:
            assert result.returncode == 0, (args, result.stdout,
                                            result.stderr)
        return result

    def json(self, *args):
        return json.loads(self.run(*(args + ('-f', 'json'))).stdout)


@pytest.fixture
def cli(api, plugin_path):
    return Cli(api, plugin_path)


@pytest.fixture
def web(api, nova, conf):
    """Segment 'web' (auto): small1 full (app-1, app-2), small2 with room
    for one of them besides its db-3."""
    for name in ('small1', 'small2'):
        nova.state.add_host(name, vcpus=4, memory_mb=8192, local_gb=100)
    for option in ('cpu', 'ram', 'disk'):
        conf.set_override('%s_allocation_ratio' % option, 1.0, 'protection')
    segment = new_segment(api, name='web')
    new_host(api, segment, 'small1')
    new_host(api, segment, 'small2')
    servers = nova.state.add_servers('small1', 2, flavor='m1.medium',
                                     name_prefix='app',
                                     metadata={'HA_Enabled': 'True'})
    servers += nova.state.add_servers('small2', 1, flavor='m1.medium',
                                      name_prefix='db')
    return segment, servers


def test_segment_protection_show(cli, web):
    segment, servers = web
    rows = {row['Host']: row for row in cli.json(
        'segment', 'protection', 'show', 'web')}
    assert set(rows) == {'small1', 'small2'}
    small1 = rows['small1']
    assert (small1['Fits'], small1['Instances'], small1['Target'],
            small1['Free (vCPU/MiB/GiB)']) == (False, 2, 'yes', '0/0/20')
    assert rows['small2']['Free (vCPU/MiB/GiB)'] == '2/4096/60'
    # The server Nova lists second (the older) finds no room.
    assert small1['Would not fit'] == 'app-1 (%s)' % servers[0]
    assert small1['Reason'].startswith('needs 2 vCPU, 4096 MiB RAM, 40 GiB '
                                       'disk; no target host has room left')
    assert (rows['small2']['Fits'], rows['small2']['Would not fit']) == (
        False, 'db-3 (%s)' % servers[2])

    # By id, in a table, with the verdict above it.
    table = cli.run('segment', 'protection', 'show', segment['uuid'],
                    '--host-failures', '2').stdout
    assert table.startswith('Segment web (auto): NOT protected against the '
                            'loss of 2 host(s)\n'
                            'Not absorbed: small2 + small1\n')
    assert '| small1 |' in table


def test_segment_protection_errors(cli, web):
    result = cli.run('segment', 'protection', 'show', 'web',
                     '--host-failures', '0', check=False)
    assert result.returncode == 1
    assert ('Invalid input received: host_failures must be >= 1 (HTTP 400)'
            in result.stderr)
    result = cli.run('segment', 'protection', 'show', 'nope', check=False)
    assert result.returncode == 1
    assert 'No segment named nope' in result.stderr


def test_segment_host_recovery_preview(cli, web):
    segment, servers = web
    preview = cli.json('segment', 'host', 'recovery', 'preview', 'web',
                       'small1')
    assert (preview['host'], preview['segment'],
            preview['recovery_method'], preview['fencing']) == (
        'small1', 'web', 'auto', 'not fenced')
    assert preview['compute_service'] == 'enabled, up'
    assert 'refuses to evacuate' in preview['before_evacuating']
    assert preview['targets'] == ("auto: Nova's scheduler picks the host of "
                                  'each instance')
    assert preview['evacuation_order'] == '1. app-2 (%s), app-1 (%s)' % (
        servers[1], servers[0])
    result = cli.run('segment', 'host', 'recovery', 'preview', 'web',
                     'small9', check=False)
    assert result.returncode == 1
    assert 'No host named small9' in result.stderr


def test_commands_do_not_clash_with_python_masakariclient(cli, web):
    groups = {item['Command Group']: item['Commands']
              for item in cli.json('command', 'list')}
    ours = set(groups['openstack.instance_ha_ops.v1'])
    assert ours == {'segment protection show',
                    'segment host recovery preview', 'storm brake list',
                    'storm brake release', 'storm brake cancel',
                    'recovery pause', 'recovery pause list',
                    'recovery resume'}
    assert not ours & set(groups['openstack.ha.v1'])
    # python-masakariclient's commands still answer as before.
    assert cli.json('segment', 'show', 'web')['name'] == 'web'
    assert [h['name'] for h in cli.json('segment', 'host', 'list',
                                        'web')] == ['small2', 'small1']
