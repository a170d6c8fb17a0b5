"""Host failure recovery, asserted from the simulator's state."""

import time

import pytest

from masakari.compute import nova
from masakari.db import api as db_api
from masakari.engine import periodic
from masakari.engine.evacuation import pacing
from masakari.engine.evacuation import records
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures.assertions import assert_evacuated_once
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import vmoves


def _details(manager, ctx, uuid):
    row = notification(uuid)
    return manager.get_notification_recovery_workflow_details(
        ctx, {'notification_uuid': uuid,
              'failover_segment_uuid': row.failover_segment_uuid})


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_auto_evacuates_every_instance(cloud, manager, ctx):
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.host(segment, 'c3')
    ha = cloud.servers('c1', 3, ha=True)
    plain = cloud.servers('c1', 2, ha=None)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    row = notification(uuid)
    assert row.status == 'finished'
    assert '5 instance(s) evacuated' in row.message
    assert_evacuated_once([cloud.info(s) for s in ha + plain], 'c1',
                          unlocked=True)
    service = cloud.service('c1')
    assert service['status'] == 'disabled'
    assert service['disabled_reason'] == 'Masakari detected host failed.'
    assert service['forced_down'] is False
    host = db_api.host_get_by_uuid(failed.uuid)
    assert host.on_maintenance is True
    moves = vmoves(uuid)
    assert len(moves) == 5
    # HA-enabled instances were recorded (and started) first.
    assert [m.instance_uuid for m in moves[:3]] == sorted(
        ha, key=[m.instance_uuid for m in moves].index)
    for move in moves:
        assert move.status == 'succeeded'
        assert move.type == 'evacuation'
        assert move.source_host == 'c1'
        assert move.dest_host == cloud.where(move.instance_uuid)
        assert move.start_time is not None and move.end_time is not None
    details = _details(manager, ctx, uuid)
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']
    assert {d['state'] for d in details} == {'SUCCESS'}
    prepared = [item['message'] for item in details[1]['progress_details']]
    assert ('2 instance(s) not HA-enabled will be evacuated too '
            '(evacuate_all_instances is true): %s' % ', '.join(
                sorted(plain, key=lambda id_: str(prepared).index(id_)))
            ) in prepared
    for entry in details:
        assert entry['progress'] == 1.0
        for item in entry['progress_details']:
            assert set(item) == {'timestamp', 'message', 'progress'}
            assert all(isinstance(v, str) for v in item.values())


def test_only_ha_instances_when_evacuate_all_is_false(cloud, manager, ctx,
                                                      engine_conf):
    engine_conf.set_override('evacuate_all_instances', False, 'host_failure')
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    flags = {'True': True, 'yes': True, '1': True, 'on': True,
             'false': False, 'no': False, 'garbage': False}
    servers = {cloud.servers('c1', metadata={'HA_Enabled': value})[0]: moved
               for value, moved in flags.items()}
    missing = cloud.servers('c1', metadata={})[0]
    servers[missing] = False
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    for server_id, moved in servers.items():
        assert (cloud.where(server_id) == 'c2') is moved, server_id
        assert cloud.evacuations(server_id) == int(moved)
    assert len(vmoves(uuid)) == 4
    prepare = _details(manager, ctx, uuid)[1]
    skipped = [d['message'] for d in prepare['progress_details']
               if d['message'].startswith('Skipping instance')]
    assert len(skipped) == 4
    assert 'evacuate_all_instances is false' in skipped[0]


def test_no_instances_to_evacuate_finishes(cloud, manager, ctx,
                                          engine_conf):
    engine_conf.set_override('evacuate_all_instances', False, 'host_failure')
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    plain = cloud.servers('c1', 1, ha=False)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert 'no instances to evacuate' in notification(uuid).message
    assert cloud.where(plain[0]) == 'c1'
    assert vmoves(uuid) == []
    assert cloud.service('c1')['status'] == 'disabled'


def test_stopped_stay_stopped_and_error_back_to_error(cloud, manager, ctx):
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    stopped = cloud.servers('c1', vm_state='stopped')[0]
    errored = cloud.servers('c1', vm_state='error')[0]
    locked = cloud.servers('c1', locked=True)[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    info = cloud.info(stopped)
    assert (info['host'], info['vm_state']) == ('c2', 'stopped')
    assert 'stop' not in [a['action'] for a in info['actions']]
    info = cloud.info(errored)
    # Evacuated (it comes back active), stopped again, reset to error.
    assert (info['host'], info['vm_state']) == ('c2', 'error')
    assert info['power_state'] == 4
    info = cloud.info(locked)
    # Locked by its owner: still locked, never unlocked by masakari.
    assert (info['host'], info['locked']) == ('c2', True)
    assert 'unlock' not in [a['action'] for a in info['actions']]


def test_error_instances_ignored_when_configured(cloud, manager, ctx,
                                                 engine_conf):
    engine_conf.set_override('ignore_instances_in_error_state', True,
                             'host_failure')
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    errored = cloud.servers('c1', vm_state='error')[0]
    fine = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert cloud.where(errored) == 'c1'
    assert cloud.evacuations(errored) == 0
    assert cloud.where(fine) == 'c2'


def _host_down_with_faulty_server(cloud, count, mode):
    """c1 fails with ``count`` servers, the first of which meets evacuation
    fault ``mode``; c2 takes them. Returns the notification uuid and the
    server ids (the faulty one first)."""
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', count)
    cloud.state.inject_evacuation_fault(servers[0], mode, count=1)
    cloud.fail('c1')
    return cloud.host_down(failed), servers


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_nova_error_on_one_instance_others_recovered(cloud, manager, ctx):
    uuid, (bad, *good) = _host_down_with_faulty_server(cloud, 4, 'fail')

    assert manager.process(ctx, uuid) == 'error'

    row = notification(uuid)
    assert bad in row.message
    for server_id in good:
        assert cloud.where(server_id) == 'c2'
    assert cloud.where(bad) == 'c1'
    assert cloud.evacuations(bad) == 1
    assert cloud.info(bad)['vm_state'] == 'active'
    by_instance = {m.instance_uuid: m for m in vmoves(uuid)}
    assert by_instance[bad].status == 'failed'
    assert 'Simulated evacuation failure' in by_instance[bad].message
    assert by_instance[bad].end_time is not None
    evacuate = _details(manager, ctx, uuid)[-1]
    assert evacuate['state'] in ('FAILURE', 'REVERTED')

    # The periodic retry evacuates what is left, and only that.
    futures = periodic.process_unfinished_notifications(manager, ctx)
    assert len(futures) == 1
    row = notification(uuid)
    assert row.status == 'finished', row.message
    assert cloud.where(bad) == 'c2'
    assert cloud.evacuations(bad) == 2
    # Nova set it to error when its evacuation failed; it was active, so
    # it was put back to active and comes back running, not stopped.
    assert cloud.info(bad)['vm_state'] == 'active'
    assert_evacuated_once([cloud.info(s) for s in good], 'c1')
    moves = vmoves(uuid)
    assert len(moves) == 4
    assert {m.status for m in moves} == {'succeeded'}
    # Only the latest attempt is shown, all of it successful.
    assert {d['state'] for d in _details(manager, ctx, uuid)} == {'SUCCESS'}


def test_evacuation_timeout_fails_the_instance(cloud, manager, ctx,
                                               engine_conf):
    engine_conf.set_override('wait_period_after_evacuation', 1)
    uuid, (stuck, fine) = _host_down_with_faulty_server(cloud, 2, 'stuck')

    assert manager.process(ctx, uuid) == 'error'

    by_instance = {m.instance_uuid: m for m in vmoves(uuid)}
    assert by_instance[stuck].status == 'failed'
    assert by_instance[stuck].message.startswith('Failed reason: timeout.')
    assert by_instance[fine].status == 'succeeded'
    assert cloud.where(fine) == 'c2'


def test_retry_waits_for_an_evacuation_that_timed_out(cloud, manager, ctx,
                                                      engine_conf,
                                                      simulator):
    """Nova was slower than wait_period_after_evacuation: the retry waits
    for the rebuild still in progress instead of evacuating again."""
    # A wide gap between the engine's timeout and Nova's rebuild keeps
    # the rebuild in progress when the first attempt gives up, even on a
    # loaded machine.
    engine_conf.set_override('wait_period_after_evacuation', 1)
    simulator.state.configure(evacuate_duration=5.0)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    (server,) = cloud.servers('c1', 1)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)
    assert manager.process(ctx, uuid) == 'error'
    assert cloud.info(server)['task_state'] is not None

    # The retry may wait long enough for the rebuild to end.
    engine_conf.set_override('wait_period_after_evacuation', 15)
    periodic.process_unfinished_notifications(manager, ctx)

    assert notification(uuid).status == 'finished'
    assert cloud.where(server) == 'c2'
    assert cloud.evacuations(server) == 1
    assert [m.status for m in vmoves(uuid)] == ['succeeded']


def test_waits_for_nova_to_see_the_host_down(cloud, manager, ctx,
                                             simulator):
    simulator.state.configure(service_down_time=1.0)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    started = time.monotonic()
    assert manager.process(ctx, uuid) == 'finished'
    elapsed = time.monotonic() - started

    # Not before Nova saw it down; and it went on when Nova did (below),
    # not at the 5 s timeout: no upper bound on a loaded machine.
    assert elapsed >= 1.0
    assert cloud.where(server) == 'c2'
    assert cloud.service('c1')['forced_down'] is False
    disable = _details(manager, ctx, uuid)[0]
    assert 'reports it down after' in disable['progress_details'][-1][
        'message']


def test_force_down_goes_on_at_once(cloud, manager, ctx, simulator,
                                    engine_conf):
    engine_conf.set_override('force_down_failed_host', True, 'host_failure')
    # Nova would take a minute to notice, and block the disable call.
    simulator.state.configure(service_down_time=60, rpc_response_timeout=60)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    # Forced down before the disable, so neither waited on Nova.
    messages = [entry['message'] for entry in
                _details(manager, ctx, uuid)[0]['progress_details']]
    assert any('as forced down' in message for message in messages)
    assert messages[-1].endswith('is disabled and forced down')
    assert not any('Waiting up to' in message for message in messages)
    service = cloud.service('c1')
    assert service['forced_down'] is True
    assert service['status'] == 'disabled'
    assert cloud.where(server) == 'c2'


def test_late_answer_to_disable_is_not_a_failure(cloud, manager, ctx,
                                                 simulator, engine_conf):
    # The disable blocks for 2 s (Nova calling the dead compute) but our
    # HTTP timeout is 0.5 s; Nova has stored the change all the same.
    engine_conf.set_override('call_timeout', 0.5, 'nova')
    simulator.state.configure(service_down_time=1.0,
                              rpc_response_timeout=2.0)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message
    assert cloud.where(server) == 'c2'
    assert cloud.service('c1')['status'] == 'disabled'


def test_every_page_of_servers_is_evacuated(cloud, manager, ctx,
                                            simulator):
    simulator.state.configure(max_limit=2)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 5)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert [cloud.where(s) for s in servers] == ['c2'] * 5
    assert len(vmoves(uuid)) == 5


def _evacuation_fault_count(cloud, pattern):
    return sum(fault['fired'] for fault in cloud.state.dump()['http_faults']
               if fault['pattern'] == pattern)


def test_without_evacuation_records_each_server_is_polled(cloud, manager,
                                                          ctx, caplog):
    """Nova failing to list its migrations only slows the recovery: each
    evacuation is still confirmed by reading its server."""
    cloud.state.configure(evacuate_duration=0.2)
    cloud.state.add_http_fault(r'/os-migrations', status=500, count=None)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    ha = cloud.servers('c1', 4, ha=True)
    cloud.fail('c1')

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert _evacuation_fault_count(cloud, r'/os-migrations') > 0
    assert 'Cannot list the evacuations from c1' in caplog.text
    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')


def _most_evacuations_at_once(cloud):
    """The most evacuation records of Nova open at the same moment."""
    events = []
    with cloud.state.lock:
        for migration in cloud.state.migrations:
            events.append((migration.created_at, 1))
            events.append((migration.updated_at, -1))
    most = running = 0
    for _, change in sorted(events):
        running += change
        most = max(most, running)
    return most


def _failed_host_of_ha_servers(cloud, conf, servers, threads, evacuate):
    """Host c1 (failed) with ``servers`` HA servers and c2 to take them;
    ``threads`` evacuations at a time of ``evacuate`` seconds each."""
    cloud.state.configure(evacuate_duration=evacuate)
    conf.set_override('host_failure_recovery_threads', threads)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    ha = cloud.servers('c1', servers, ha=True)
    cloud.fail('c1')
    return failed, ha


def test_recovery_threads_bound_the_evacuations_in_nova(cloud, manager,
                                                        ctx, conf,
                                                        caplog):
    failed, ha = _failed_host_of_ha_servers(cloud, conf, servers=6,
                                            threads=2, evacuate=0.3)

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    assert _most_evacuations_at_once(cloud) == 2
    # The waits were paced by Nova's evacuation records.
    assert 'Cannot list the evacuations' not in caplog.text


def test_a_watched_evacuation_reads_its_server_once_nova_ended_it(
        cloud, manager, ctx, conf):
    """While Nova's evacuation records can be listed, the listing wakes
    each waiting evacuation when Nova ends it: no read of the server
    every verify_interval (1 s here) while Nova works on it."""
    failed, ha = _failed_host_of_ha_servers(cloud, conf, servers=4,
                                            threads=4, evacuate=2.5)
    route = 'GET /servers/{server_id}'
    before = cloud.state.requests_served().get(route, 0)

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    # The servers came from one listing of the host; each was read once,
    # to confirm where it runs (reading every second: 3 reads each).
    assert cloud.state.requests_served().get(route, 0) - before == len(ha)


def test_the_failed_host_is_listed_once_per_recovery(cloud, manager, ctx,
                                                    conf):
    """The evacuations start from the listing the preparing task made a
    moment before, instead of listing the host's servers again."""
    failed, ha = _failed_host_of_ha_servers(cloud, conf, servers=6,
                                            threads=3, evacuate=0.2)
    route = 'GET /servers/detail'
    before = cloud.state.requests_served().get(route, 0)
    # What one listing of the host costs (novaclient reads pages until an
    # empty one).
    nova.API().get_servers(ctx, 'c1')
    one_listing = cloud.state.requests_served().get(route, 0) - before
    before += one_listing

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    assert cloud.state.requests_served().get(route, 0) - before == \
        one_listing


def test_later_servers_come_from_a_new_listing_not_a_read_each(
        cloud, manager, ctx, conf, monkeypatch):
    """Once the listing is too old to act on, the host is listed again
    once for the servers still to start, instead of each being read."""
    monkeypatch.setattr(pacing, 'SNAPSHOT_MAX_AGE', 0.3)
    failed, ha = _failed_host_of_ha_servers(cloud, conf, servers=8,
                                            threads=2, evacuate=0.4)
    served = cloud.state.requests_served
    before = dict(served())

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    reads = served().get('GET /servers/{server_id}', 0) - before.get(
        'GET /servers/{server_id}', 0)
    listings = served().get('GET /servers/detail', 0) - before.get(
        'GET /servers/detail', 0)
    # Four rounds of 0.4 s: the listing ages three times or so; each
    # server is read once only, to confirm where it runs.
    assert reads == len(ha)
    assert listings > 2


@pytest.mark.parametrize('records', ['listed', 'unlisted'])
def test_task_cleared_before_the_host_moves_is_not_a_failure(
        cloud, manager, ctx, records):
    """Real Nova clears the task of an evacuated server a while before it
    moves the server's host (and marks its record done): a server read in
    that window is still being evacuated, with or without the records."""
    cloud.state.configure(evacuate_host_lag=1.5)
    if records == 'unlisted':
        cloud.state.add_http_fault(r'/os-migrations', status=500, count=None)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    running = cloud.servers('c1', 2, ha=True)
    stopped = cloud.servers('c1', vm_state='stopped')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    for server_id in running + [stopped]:
        assert cloud.where(server_id) == 'c2'
        assert cloud.evacuations(server_id) == 1
    assert cloud.info(stopped)['vm_state'] == 'stopped'
    assert {m.status for m in vmoves(uuid)} == {'succeeded'}


def test_rolled_back_evacuation_fails_at_once_from_its_record(
        cloud, manager, ctx, engine_conf):
    """Nova rolls a failed claim back: the server keeps its state, no task,
    no fault, on the failed host. Its evacuation record says failed, and
    that is enough: no waiting out the grace period (longer than the
    evacuation timeout here, so waiting it out would end in a timeout)."""
    engine_conf.set_override('wait_period_after_evacuation', 60)
    engine_conf.set_override('evacuation_settle_grace', 3600,
                             'host_failure')
    uuid, (bad, good) = _host_down_with_faulty_server(cloud, 2, 'rollback')

    assert manager.process(ctx, uuid) == 'error'

    by_instance = {m.instance_uuid: m for m in vmoves(uuid)}
    assert by_instance[bad].status == 'failed'
    assert 'Nova did not evacuate' in by_instance[bad].message
    assert cloud.where(bad) == 'c1'
    assert cloud.info(bad)['vm_state'] == 'active'
    assert cloud.where(good) == 'c2'


def test_server_left_on_its_host_fails_after_the_grace_period(
        cloud, manager, ctx, engine_conf):
    """Without records, a server that stays on the failed host with no
    task is called failed once the grace period is over."""
    engine_conf.set_override('evacuation_settle_grace', 2.0, 'host_failure')
    cloud.state.add_http_fault(r'/os-migrations', status=500, count=None)
    uuid, (bad,) = _host_down_with_faulty_server(cloud, 1, 'rollback')

    started = time.monotonic()
    assert manager.process(ctx, uuid) == 'error'
    assert time.monotonic() - started >= 2.0

    move = vmoves(uuid)[0]
    assert move.status == 'failed'
    assert 'Nova did not evacuate' in move.message
    assert cloud.evacuations(bad) == 1


def test_an_evacuation_is_recorded_succeeded_only_once_unlocked(
        cloud, manager, ctx, monkeypatch):
    """An engine that dies between the two must leave the record ongoing:
    the engine that resumes it then knows to unlock the server. (A record
    already succeeded is never looked at again: the server stayed locked,
    as CI once saw after a SIGKILL.)"""
    locked_when_recorded = {}
    vmove_update = db_api.vmove_update

    def recording(uuid, values, *args, **kwargs):
        vmove_update(uuid, values, *args, **kwargs)
        if values.get('status') == 'succeeded':
            server_id = db_api.vmove_get_by_uuid(uuid).instance_uuid
            locked_when_recorded[server_id] = cloud.info(server_id)['locked']

    monkeypatch.setattr(records.db_api, 'vmove_update', recording)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 3, ha=True)
    servers += cloud.servers('c1', vm_state='stopped')
    cloud.fail('c1')

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert locked_when_recorded == {server_id: False
                                    for server_id in servers}


def test_a_newer_configured_microversion_still_brings_servers_back_active(
        cloud, manager, ctx, engine_conf):
    """[nova] api_microversion 2.96: asked at 2.95 or later, Nova would
    leave the evacuated servers stopped; the engine asks at 2.94."""
    engine_conf.set_override('api_microversion', '2.96', 'nova')
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 2, ha=True)
    cloud.fail('c1')

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in servers], 'c1')
    assert {cloud.info(s)['vm_state'] for s in servers} == {'active'}


def test_disable_held_by_nova_does_not_hold_the_evacuations(
        cloud, manager, ctx, simulator, engine_conf):
    """Nova holds the disable while the dead compute's heartbeat is fresh
    (its call to the compute waits for an answer), but evacuations are
    possible as soon as the service reads down: the disable runs beside
    the wait, and its change is checked instead of its answer."""
    engine_conf.set_override('call_timeout', 60, 'nova')
    simulator.state.configure(service_down_time=1.0,
                              rpc_response_timeout=8.0)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 2, ha=True)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    messages = [entry['message'] for entry in
                _details(manager, ctx, uuid)[0]['progress_details']]
    assert ("Disabled compute service on host 'c1' (stored; Nova has not "
            'answered yet)') in messages
    assert any('it reports the service down in about' in message
               for message in messages)
    assert cloud.service('c1')['status'] == 'disabled'
    assert_evacuated_once([cloud.info(s) for s in servers], 'c1')


def test_a_409_because_an_evacuation_is_under_way_is_followed(cloud, manager,
                                                             ctx):
    """Nova answers 409 to an evacuation while one is under way already
    (CI saw it when a retry's request met the late request of the attempt
    before): the engine follows the evacuation Nova is doing instead of
    failing the notification or asking again."""
    cloud.state.configure(evacuate_duration=0.3)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server, other = cloud.servers('c1', 2, ha=True)
    # The request evacuates the server, but the answer is Nova's refusal
    # of a second one: the server is rebuilding by then.
    cloud.state.add_http_fault(
        '/servers/%s/action' % server, action='evacuate', status=409,
        after=True, message='Cannot evacuate instance while it is in '
                            'task_state rebuilding')
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert_evacuated_once([cloud.info(server), cloud.info(other)], 'c1',
                          unlocked=True)
    assert {move.status for move in vmoves(uuid)} == {'succeeded'}
