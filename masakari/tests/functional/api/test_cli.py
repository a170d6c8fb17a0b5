"""Every command and option of the ``openstack`` CLI plugin of
python-masakariclient, against the running API.

Without Keystone the CLI needs only ``--os-auth-type none --os-endpoint
<API>/v1``: keystoneauth's ``none`` plugin sends no token and uses that
endpoint for every service (the API runs with ``auth_strategy = noauth2``).
"""

import datetime
import json
import os
import subprocess
import sys

import pytest

from masakari.db import api as db_api

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


class Cli:
    def __init__(self, api):
        self.api = api

    def run(self, *args, version=None, check=True):
        cmd = [OPENSTACK, '--os-auth-type', 'none',
               '--os-endpoint', self.api.v1]
        if version is not None:
            cmd += ['--os-ha-api-version', version]
        cmd += list(args)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        result = subprocess.run(cmd, capture_output=True, text=True,
                                timeout=120, env=env)
        if check:
            assert result.returncode == 0, (cmd, result.stdout,
                                            result.stderr)
        return result

    def json(self, *args, **kwargs):
        result = self.run(*(args + ('-f', 'json')), **kwargs)
        return json.loads(result.stdout)


@pytest.fixture
def cli(api):
    return Cli(api)


def test_segment_commands(cli):
    created = cli.json('segment', 'create', 'seg-a', 'auto', 'COMPUTE',
                       '--description', 'first segment')
    assert (created['name'], created['recovery_method'],
            created['service_type'], created['description']) == (
        'seg-a', 'auto', 'COMPUTE', 'first segment')
    # --is_enabled is honoured from microversion 1.2 (the CLI default: 1.3)
    second = cli.json('segment', 'create', 'seg-b', 'rh_priority', 'COMPUTE',
                      '--is_enabled', 'false', version='1.2')
    assert second['is_enabled'] is False
    cli.json('segment', 'create', 'seg-c', 'reserved_host', 'OTHER')

    listed = cli.json('segment', 'list')
    assert [s['name'] for s in listed] == ['seg-c', 'seg-b', 'seg-a']
    assert 'is_enabled' in listed[0]
    assert [s['name'] for s in cli.json('segment', 'list', '--sort',
                                        'name:asc')] == [
        'seg-a', 'seg-b', 'seg-c']
    assert [s['name'] for s in cli.json('segment', 'list', '--limit', '1',
                                        '--sort', 'name:asc')] == [
        'seg-a', 'seg-b', 'seg-c']
    first_id = db_api.segment_get_by_uuid(created['uuid']).id
    assert [s['name'] for s in cli.json(
        'segment', 'list', '--marker', str(first_id), '--sort',
        'name:asc')] == ['seg-b', 'seg-c']
    assert [s['name'] for s in cli.json(
        'segment', 'list', '--filters',
        'recovery_method=auto;service_type=COMPUTE')] == ['seg-a']
    assert [s['name'] for s in cli.json(
        'segment', 'list', '--filters', 'service_type=OTHER')] == ['seg-c']

    assert cli.json('segment', 'show', 'seg-a')['uuid'] == created['uuid']
    assert cli.json('segment', 'show', created['uuid'])['name'] == 'seg-a'

    updated = cli.json('segment', 'update', 'seg-a', '--name', 'seg-a2',
                       '--recovery_method', 'auto_priority',
                       '--service_type', 'COMPUTE2',
                       '--description', 'renamed')
    assert (updated['name'], updated['recovery_method'],
            updated['service_type'], updated['description']) == (
        'seg-a2', 'auto_priority', 'COMPUTE2', 'renamed')
    enabled = cli.json('segment', 'update', second['uuid'], '--is_enabled',
                       'true', version='1.2')
    assert enabled['is_enabled'] is True

    result = cli.run('segment', 'delete', 'seg-a2', second['uuid'])
    assert 'Segment deleted: seg-a2' in result.stdout
    assert [s['name'] for s in cli.json('segment', 'list')] == ['seg-c']
    result = cli.run('segment', 'show', 'seg-a2', check=False)
    assert result.returncode != 0


def test_host_commands(cli):
    segment = cli.json('segment', 'create', 'seg', 'auto', 'COMPUTE')
    host = cli.json('segment', 'host', 'create', 'compute1', 'COMPUTE',
                    'ssh', 'seg', '--reserved', 'True',
                    '--on_maintenance', 'False')
    assert (host['name'], host['type'], host['control_attributes'],
            host['reserved'], host['on_maintenance'],
            host['failover_segment_id']) == (
        'compute1', 'COMPUTE', 'ssh', True, False, segment['uuid'])
    cli.json('segment', 'host', 'create', 'compute2', 'OTHER', 'ipmi',
             segment['uuid'], '--on_maintenance', 'True')
    # a name Nova does not know is refused
    result = cli.run('segment', 'host', 'create', 'unknown', 'COMPUTE',
                     'ssh', 'seg', check=False)
    assert result.returncode != 0
    assert 'Compute service with name unknown could not be found' in (
        result.stderr)

    hosts = cli.json('segment', 'host', 'list', 'seg')
    assert [h['name'] for h in hosts] == ['compute2', 'compute1']
    assert [h['name'] for h in cli.json('segment', 'host', 'list', 'seg',
                                        '--sort', 'name:asc',
                                        '--limit', '1')] == [
        'compute1', 'compute2']
    first_id = db_api.host_get_by_uuid(host['uuid']).id
    assert [h['name'] for h in cli.json('segment', 'host', 'list', 'seg',
                                        '--marker', str(first_id),
                                        '--sort', 'name:asc')] == [
        'compute2']
    for filters, names in (('reserved=True', ['compute1']),
                           ('on_maintenance=True', ['compute2']),
                           ('type=OTHER;reserved=False', ['compute2'])):
        assert [h['name'] for h in cli.json(
            'segment', 'host', 'list', 'seg', '--filters', filters)] == names

    shown = cli.json('segment', 'host', 'show', 'seg', 'compute1')
    assert shown['uuid'] == host['uuid']
    updated = cli.json('segment', 'host', 'update', 'seg', 'compute1',
                       '--reserved', 'False', '--on_maintenance', 'True',
                       '--name', 'compute3', '--type', 'NEW',
                       '--control_attributes', 'ssh2')
    assert (updated['name'], updated['type'], updated['control_attributes'],
            updated['reserved'], updated['on_maintenance']) == (
        'compute3', 'NEW', 'ssh2', False, True)

    result = cli.run('segment', 'host', 'delete', 'seg', 'compute3')
    assert 'Host deleted: compute3' in result.stdout
    assert [h['name'] for h in cli.json('segment', 'host', 'list',
                                        segment['uuid'])] == ['compute2']


def test_notification_and_vmove_commands(cli, engine):
    engine.workflow_details = [
        {'name': 'DisableComputeServiceTask', 'state': 'SUCCESS',
         'progress': 1.0,
         'progress_details': [
             {'timestamp': '2026-01-01 00:00:00.000000',
              'message': 'Disabling compute service on host: compute1',
              'progress': '0.0'}]}]
    cli.json('segment', 'create', 'seg', 'auto', 'COMPUTE')
    host = cli.json('segment', 'host', 'create', 'compute1', 'COMPUTE',
                    'ssh', 'seg')
    cli.json('segment', 'host', 'create', 'compute2', 'COMPUTE', 'ssh',
             'seg')
    now = datetime.datetime.utcnow()
    created = cli.json('notification', 'create', 'COMPUTE_HOST', 'compute1',
                       now.isoformat(),
                       json.dumps({'event': 'STOPPED',
                                   'host_status': 'NORMAL'}))
    assert created['status'] == 'new'
    assert created['source_host_uuid'] == host['uuid']
    # the CLI defaults to microversion 1.3, which shows the workflow
    assert created['recovery_workflow_details'][0]['name'] == (
        'DisableComputeServiceTask')
    process = cli.json('notification', 'create', 'PROCESS', 'compute2',
                       (now + datetime.timedelta(seconds=1)).isoformat(),
                       json.dumps({'event': 'STOPPED',
                                   'process_name': 'nova-compute'}))
    assert len(engine.wait_for_casts(2)) == 2

    shown = cli.json('notification', 'show', created['notification_uuid'],
                     version='1.0')
    assert 'recovery_workflow_details' not in shown
    assert shown['payload'] == {'event': 'STOPPED', 'host_status': 'NORMAL'}
    shown = cli.json('notification', 'show', created['notification_uuid'],
                     version='1.1')
    assert shown['recovery_workflow_details'][0]['state'] == 'SUCCESS'

    listed = cli.json('notification', 'list')
    assert [n['notification_uuid'] for n in listed] == [
        process['notification_uuid'], created['notification_uuid']]
    assert [n['notification_uuid'] for n in cli.json(
        'notification', 'list', '--filters', 'type=PROCESS')] == [
        process['notification_uuid']]
    assert [n['notification_uuid'] for n in cli.json(
        'notification', 'list', '--filters',
        'status=new;source_host_uuid=%s' % host['uuid'])] == [
        created['notification_uuid']]
    assert [n['notification_uuid'] for n in cli.json(
        'notification', 'list', '--limit', '1', '--sort',
        'generated_time:asc')] == [created['notification_uuid'],
                                   process['notification_uuid']]
    marker = db_api.notification_get_by_uuid(
        process['notification_uuid']).id
    assert [n['notification_uuid'] for n in cli.json(
        'notification', 'list', '--marker', str(marker))] == [
        created['notification_uuid']]

    moves = db_api.vmove_create_many([{
        'notification_uuid': created['notification_uuid'],
        'instance_uuid': '0e0a5d8c-2f3c-4c2a-9a1e-5b8d2c1f7a0%d' % i,
        'instance_name': 'vm%d' % i, 'source_host': 'compute1',
        'dest_host': 'compute2', 'type': 'evacuation', 'status': status}
        for i, status in enumerate(('succeeded', 'failed'))])
    vmoves = cli.json('notification', 'vmove', 'list',
                      created['notification_uuid'])
    assert sorted(v['uuid'] for v in vmoves) == sorted(m.uuid for m in moves)
    assert [v['server_name'] for v in cli.json(
        'notification', 'vmove', 'list', created['notification_uuid'],
        '--filters', 'status=failed;type=evacuation')] == ['vm1']
    assert [v['server_name'] for v in cli.json(
        'notification', 'vmove', 'list', created['notification_uuid'],
        '--sort', 'instance_name:asc', '--limit', '1')] == ['vm0', 'vm1']
    assert [v['server_name'] for v in cli.json(
        'notification', 'vmove', 'list', created['notification_uuid'],
        '--marker', str(moves[1].id))] == ['vm0']
    vmove = cli.json('notification', 'vmove', 'show',
                     created['notification_uuid'], moves[0].uuid)
    assert (vmove['server_name'], vmove['status'], vmove['dest_host']) == (
        'vm0', 'succeeded', 'compute2')
    # a PROCESS notification has no vmoves
    result = cli.run('notification', 'vmove', 'list',
                     process['notification_uuid'], check=False)
    assert result.returncode != 0
