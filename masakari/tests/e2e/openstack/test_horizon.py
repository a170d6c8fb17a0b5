"""The Horizon panel (masakari-dashboard) driven in a real browser against
this masakari and the OpenStack-lite stack.

Horizon 27 with masakari-dashboard 15 runs from a venv of its own
(``horizon_site.py``), logged in through the stack's Keystone; headless
Chromium (Debian's package) is driven by Playwright. Each step checks
what the page shows and what the API and its database then hold.

Placement: these tests use the session's ``stack`` like
``test_openstack.py``. Under ``--dist loadfile`` the two modules may land
in two xdist workers: the second waits for the first's file lock and then
brings the stack up again (about 35 s on a warm machine, more from a cold
one). That is accepted; Horizon's venv is built before the stack is
taken, so the build overlaps the other worker's scenarios.
"""

import os
import pathlib
import time

import openstack.exceptions
import pytest

from masakari.tests.e2e.conftest import Service, wait_http
from masakari.tests.e2e.openstack import horizon_browser
from masakari.tests.e2e.openstack.horizon_browser import Panel
from masakari.tests.e2e.openstack.horizon_site import HorizonSite
from masakari.tests.e2e.openstack.stack import DATABASE
from masakari.tests.fixtures.servers import free_port

pytestmark = [
    pytest.mark.xdist_group('openstack'),
    pytest.mark.filterwarnings('ignore::PendingDeprecationWarning'),
    pytest.mark.filterwarnings('ignore:Support for InfluxDB'),
]

SEGMENTS = '/masakaridashboard/segments/'
HOSTS = '/masakaridashboard/hosts/'
NOTIFICATIONS = '/masakaridashboard/notifications/'
VMOVES = '/masakaridashboard/vmoves/'
HOST_DOWN = {'event': 'STOPPED', 'host_status': 'NORMAL',
             'cluster_status': 'OFFLINE'}


def screenshots_dir():
    return pathlib.Path(os.environ.get('MASAKARI_HORIZON_SCREENSHOTS') or
                        HorizonSite().base / 'screenshots')


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope='session')
def horizon_site():
    """Horizon's venv, built (or found) before the stack is taken."""
    if os.environ.get('MASAKARI_TEST_SKIP_OPENSTACK') == '1':
        pytest.skip('MASAKARI_TEST_SKIP_OPENSTACK=1')
    site = HorizonSite()
    site.ensure_built()
    return site


@pytest.fixture(scope='session')
def chromium():
    executable = horizon_browser.chromium_path()
    if executable is None:
        horizon_browser.cannot_run('Debian\'s chromium is missing (apt-get '
                                   'install chromium, as root)')
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        horizon_browser.cannot_run('playwright is not installed '
                                   '(test-requirements.txt)')
    with sync_playwright() as playwright:
        browser = horizon_browser.launch(playwright, executable)
        yield browser
        browser.close()


@pytest.fixture(scope='module', autouse=True)
def _ready_before_the_stack(horizon_site, chromium):
    """Build Horizon's venv and start the browser before any test takes
    the stack: another xdist worker may hold the stack's lock meanwhile."""


@pytest.fixture(scope='session')
def horizon(horizon_site, chromium, stack):
    """Horizon served on 127.0.0.1, logging in through the stack's
    Keystone; its base URL."""
    stack.results.record('horizon', 'venv build (0: reused)',
                         horizon_site.build_seconds)
    # The last run's pictures and failed pages.
    for pattern in ('*.png', 'failed-*.html'):
        for old in screenshots_dir().glob(pattern):
            old.unlink()
    port = free_port()
    t0 = time.monotonic()
    service = Service('horizon', horizon_site.server_argv(port),
                      stack.workdir / 'horizon.log',
                      env=horizon_site.server_env(stack.layout.auth_url))
    url = 'http://127.0.0.1:%d' % port
    try:
        wait_http(url + '/auth/login/', service, timeout=120)
        stack.results.record('horizon', 'server start',
                             round(time.monotonic() - t0, 1))
        yield url
    finally:
        service.stop()


@pytest.fixture(scope='module')
def panel(horizon, chromium):
    """A browser page logged in as the cloud's admin."""
    context = chromium.new_context(viewport={'width': 1280, 'height': 760})
    page = Panel(context.new_page(), horizon, screenshots_dir())
    page.login('admin', 'admin', SEGMENTS)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _horizon_log_on_failure(request):
    yield
    report_ = getattr(request.node, 'rep_call', None)
    if report_ is not None and report_.failed and 'horizon' in \
            request.fixturenames:
        if 'panel' in request.fixturenames:
            panel = request.getfixturevalue('panel')
            shot = panel.screenshot('failed-%s' % request.node.name)
            shot.with_suffix('.html').write_text(panel.page.content())
            print('page %s, screenshot and HTML: %s' % (panel.page.url,
                                                       shot))
        stack = request.getfixturevalue('stack')
        log = stack.workdir / 'horizon.log'
        if log.exists():
            print('==== horizon ====\n' + log.read_text()[-6000:])


def _db(stack, sql):
    return stack.oslite.mysql(stack.layout, sql, database=DATABASE)


def _segment_named(stack, name):
    found = [s for s in stack.conn.instance_ha.segments() if s.name == name]
    assert len(found) <= 1, found
    return found[0] if found else None


# ------------------------------------------------------------------ tests
def test_login_lands_on_the_panel(stack, horizon, chromium):
    """The admin logs in through Keystone and sees the Instance-ha
    dashboard with its four panels; a wrong password is refused."""
    context = chromium.new_context()
    try:
        page = Panel(context.new_page(), horizon, screenshots_dir())
        page.login('admin', 'wrong', SEGMENTS)
        assert page.path().startswith('/auth/login/')
        assert 'Invalid credentials' in page.page.inner_text('form')
        t0 = time.monotonic()
        page.login('admin', 'admin', SEGMENTS)
        elapsed = time.monotonic() - t0
        assert page.path() == SEGMENTS
        assert page.heading() == 'Segments'
        nav = page.page.locator('#sidebar-accordion').inner_text()
        for name in ('Instance-ha', 'Segments', 'Hosts', 'Notifications',
                     'VMoves'):
            assert name in nav
        assert page.messages('error') == []
    finally:
        context.close()
    stack.results.record('horizon', 'log in to the segments page',
                         round(elapsed, 1))


@pytest.fixture
def segment_names(stack):
    """Names of segments a test makes through the panel; any left over
    (the test failed half-way) are deleted afterwards."""
    names = []
    yield names
    for segment in stack.conn.instance_ha.segments():
        if segment.name in names:
            stack.delete_segment(segment)


def test_segment_create_update_disable_delete(stack, panel, segment_names):
    name = 'horizon-seg'
    segment_names.extend([name, name + '-2'])
    panel.goto(SEGMENTS)
    panel.page.click('#failover_segment__action_create')
    panel.wait_modal()
    # The form offers the four recovery methods and a fixed service type.
    assert panel.select_options('recovery_method') == [
        'auto', 'auto_priority', 'reserved_host', 'rh_priority']
    assert panel.field_value('service_type') == 'compute'
    panel.fill({'name': name, 'recovery_method': 'auto',
                'description': 'made in Horizon', 'is_enabled': True})
    panel.screenshot('segment-create')
    panel.submit()
    assert panel.messages('success') == ['Success: Successfully created '
                                         'segment']
    segment = _segment_named(stack, name)
    assert segment is not None
    assert (segment.recovery_method, segment.description,
            segment.is_enabled) == ('auto', 'made in Horizon', True)
    # The panel sends the service type in lower case, as upstream keeps it.
    assert segment.service_type == 'compute'
    cells = panel.row_cells('failover_segment', segment.uuid)
    assert cells['Name'] == name and cells['UUID'] == segment.uuid
    assert cells['Recovery Method'] == 'auto'
    assert cells['Enabled'] == 'Yes'
    panel.screenshot('segments')

    # A second segment of the same name: the API answers 409, as
    # upstream, and the panel shows its own message for it. Horizon 27
    # files every openstacksdk HTTP error under "unauthorized", hence the
    # prefix and the generic toast after it (upstream's API alike).
    panel.page.click('#failover_segment__action_create')
    panel.wait_modal()
    panel.fill({'name': name, 'recovery_method': 'auto'})
    toasts = panel.submit_refused('already exists')
    panel.screenshot('segment-duplicate')
    panel.clear_messages()
    assert ('Error: Unauthorized: Segment with name "%s" already exists '
            'Details' % name) in toasts, toasts
    assert len([s for s in stack.conn.instance_ha.segments()
                if s.name == name]) == 1

    # Update: another name, method and description, and disabled.
    panel.row_action('failover_segment', segment.uuid, 'update')
    panel.wait_modal()
    assert panel.field_value('name') == name
    assert panel.field_value('recovery_method') == 'auto'
    panel.fill({'name': name + '-2', 'recovery_method': 'reserved_host',
                'description': 'edited', 'is_enabled': False})
    panel.screenshot('segment-update')
    panel.submit()
    assert panel.messages('success') == ['Success: Successfully updated '
                                         'segment.']
    updated = stack.conn.instance_ha.get_segment(segment.uuid)
    assert (updated.name, updated.recovery_method, updated.description,
            updated.is_enabled) == (name + '-2', 'reserved_host', 'edited',
                                    False)
    cells = panel.row_cells('failover_segment', segment.uuid)
    assert cells['Name'] == name + '-2' and cells['Enabled'] == 'No'

    # The detail page shows what the API holds.
    panel.page.click('#failover_segment tr[data-object-id="%s"] '
                     'a:text-is("%s")' % (segment.uuid, name + '-2'))
    panel.page.wait_for_load_state('load')
    fields = panel.detail_fields()
    assert {k: fields.get(k) for k in (
        'Name', 'ID', 'Description', 'Recovery Method', 'Service Type',
        'Enabled')} == {
        'Name': name + '-2', 'ID': str(updated.id), 'Description': 'edited',
        'Recovery Method': 'reserved_host', 'Service Type': 'compute',
        'Enabled': 'No'}

    # Enabled again through the same form.
    panel.goto(SEGMENTS)
    panel.row_action('failover_segment', segment.uuid, 'update')
    panel.wait_modal()
    panel.fill({'is_enabled': True})
    panel.submit()
    panel.messages()
    assert stack.conn.instance_ha.get_segment(segment.uuid).is_enabled

    # Delete, confirmed in the dialog.
    panel.delete_rows('failover_segment', [segment.uuid])
    assert panel.messages('success') == ['Success: Deleted Segment: %s'
                                         % (name + '-2')]
    assert _segment_named(stack, name + '-2') is None
    assert segment.uuid not in panel.table_ids('failover_segment')
    # Soft-deleted, as upstream: the row stays with deleted set.
    rows = _db(stack, "SELECT deleted FROM failover_segments WHERE uuid = "
                      "'%s'" % segment.uuid)
    assert rows and rows[0][0] != '0'


def test_segment_list_pages(stack, panel):
    """More segments than a page (20): the panel pages with the integer
    ``id`` of the last segment as the API's marker, as with upstream; the
    two pages hold every segment once."""
    made = [stack.conn.instance_ha.create_segment(
        name='horizon-page-%02d' % i, recovery_method='auto',
        service_type='COMPUTE') for i in range(22)]
    try:
        panel.goto(SEGMENTS)
        first = panel.table_ids('failover_segment')
        assert len(first) == 20
        with panel.page.expect_navigation():
            panel.page.locator(
                '#failover_segment a:has-text("Next")').first.click()
        second = panel.table_ids('failover_segment')
        assert panel.messages('error') == []
        assert sorted(first + second) == sorted(s.uuid for s in made)
        # Above and below the table.
        assert panel.page.locator(
            '#failover_segment a:has-text("Prev")').count() == 2
    finally:
        for segment in made:
            stack.conn.instance_ha.delete_segment(segment.uuid)


def test_hosts_add_update_maintenance_delete(stack, panel):
    segment = stack.conn.instance_ha.create_segment(
        name='horizon-hosts', recovery_method='auto',
        service_type='COMPUTE')
    try:
        _host_steps(stack, panel, segment)
    finally:
        stack.delete_segment(segment)


def _host_steps(stack, panel, segment):
    panel.goto(SEGMENTS)
    panel.row_action('failover_segment', segment.uuid, 'add_host')
    panel.wait_modal()
    # The candidates are Nova's compute services in no segment yet.
    candidates = panel.select_options('name')
    assert candidates[0] == ''
    assert sorted(candidates[1:]) == stack.layout.computes
    assert panel.field_value('segment_name') == 'horizon-hosts'
    panel.fill({'name': 'compute2', 'type': 'COMPUTE',
                'control_attributes': 'SSH', 'reserved': 'False',
                'on_maintenance': 'False'})
    panel.screenshot('host-add')
    panel.submit()
    assert panel.messages('success') == ['Success: Host created '
                                         'successfully.']
    assert panel.path() == HOSTS
    (host,) = list(stack.conn.instance_ha.hosts(segment.uuid))
    assert (host.name, host.type, host.control_attributes, host.reserved,
            host.on_maintenance) == ('compute2', 'COMPUTE', 'SSH', False,
                                     False)
    row_id = '%s,%s' % (host.uuid, segment.uuid)
    cells = panel.row_cells('host', row_id)
    assert (cells['Name'], cells['Reserved'], cells['On Maintenance'],
            cells['Failover Segment']) == ('compute2', 'False', 'False',
                                           segment.uuid)

    # Update: reserved, another control attribute.
    panel.row_action('host', row_id, 'update')
    panel.wait_modal()
    assert panel.field_value('name') == 'compute2'
    panel.fill({'reserved': 'True', 'control_attributes': 'IPMI'})
    panel.submit()
    assert panel.messages('success') == ['Success: Successfully updated '
                                         'host.']
    host = stack.conn.instance_ha.get_host(host.uuid, segment.uuid)
    assert (host.reserved, host.control_attributes,
            host.on_maintenance) == (True, 'IPMI', False)

    # On maintenance: the host monitor's notifications for it are then
    # refused by the API (409), as upstream.
    panel.row_action('host', row_id, 'update')
    panel.wait_modal()
    panel.fill({'on_maintenance': 'True'})
    panel.submit()
    assert panel.messages('success') == ['Success: Successfully updated '
                                         'host.']
    host = stack.conn.instance_ha.get_host(host.uuid, segment.uuid)
    assert host.on_maintenance is True
    assert panel.row_cells('host', row_id)['On Maintenance'] == 'True'
    panel.screenshot('hosts')
    with pytest.raises(openstack.exceptions.ConflictException):
        stack.notify('COMPUTE_HOST', 'compute2', HOST_DOWN)

    # The filter bar: on maintenance or not, as the API filters them.
    other = stack.conn.instance_ha.create_host(
        segment.uuid, name='compute3', type='COMPUTE',
        control_attributes='SSH')
    panel.goto(HOSTS)
    assert set(panel.table_ids('host')) >= {
        row_id, '%s,%s' % (other.uuid, segment.uuid)}
    panel.filter('host', 'on_maintenance', 'True')
    assert panel.table_ids('host') == [row_id]
    panel.filter('host', 'on_maintenance', 'False')
    assert panel.table_ids('host') == ['%s,%s' % (other.uuid, segment.uuid)]
    # Horizon keeps a filter in the session until it is emptied.
    panel.filter('host', 'on_maintenance', '')
    stack.conn.instance_ha.delete_host(other.uuid, segment.uuid)

    # The host's detail page.
    panel.goto(HOSTS)
    panel.page.click('#host tr[data-object-id="%s"] a:text-is("compute2")'
                     % row_id)
    panel.page.wait_for_load_state('load')
    overview = panel.page.inner_text('.detail')
    assert host.uuid in overview and 'IPMI' in overview

    # Delete.
    panel.goto(HOSTS)
    panel.delete_rows('host', [row_id])
    assert panel.messages('success') == ['Success: Deleted Host: compute2']
    assert list(stack.conn.instance_ha.hosts(segment.uuid)) == []
    assert row_id not in panel.table_ids('host')


def test_notification_progress_and_vmoves_after_recovery(
        stack, panel, segment, servers, restore):
    """A real host failure (compute1's nova-compute SIGKILLed, the host
    monitor's notification posted); the panel lists the notification,
    shows the recovery workflow's progress and the servers' moves as the
    API reports them."""
    failed = 'compute1'
    ha = [stack.boot('horizon-ha-%d' % i, failed, ha=True) for i in range(2)]
    servers.extend(ha)
    ha = stack.wait_servers(ha)
    restore.append(failed)
    stack.kill_compute(failed)
    notification = stack.notify('COMPUTE_HOST', failed, HOST_DOWN)
    final = stack.wait_notification(notification)
    assert final.status == 'finished', stack.failure_report(final)
    uuid = final.notification_uuid

    panel.goto(NOTIFICATIONS)
    cells = panel.row_cells('notifications', uuid)
    host = next(h for h in stack.conn.instance_ha.hosts(segment.uuid)
                if h.name == failed)
    assert (cells['Host'], cells['UUID'], cells['Type'], cells['Status']) \
        == (host.uuid, uuid, 'COMPUTE_HOST', 'finished')
    panel.screenshot('notifications')

    # Detail: the overview, then the progress details (microversion 1.1).
    panel.page.click('#notifications tr[data-object-id="%s"] a' % uuid)
    panel.page.wait_for_load_state('load')
    assert panel.heading() == uuid
    fields = panel.detail_fields()
    assert (fields['Notification UUID'], fields['Source Host UUID'],
            fields['Type'], fields['Status']) == (uuid, host.uuid,
                                                  'COMPUTE_HOST', 'finished')
    pane = panel.open_tab('Progress Details')
    # Columns: Action (the task), Timestamp, Message.
    shown = [(r[0].strip(), r[2].strip()) for r in pane.locator(
        'table tbody tr:not(.empty)').evaluate_all(
            'rows => rows.map(r => Array.from(r.querySelectorAll("td"))'
            '.map(td => td.innerText))')]
    api_details = stack.workflow_details(final)
    expected = [(task, message) for task, messages in api_details.items()
                for message in messages]
    assert shown == expected
    assert any(task == 'EvacuateInstancesTask' for task, _ in shown)
    panel.screenshot('notification-progress')

    # VMoves (microversion 1.3): one per HA server, compute1 to elsewhere.
    pane = panel.open_tab('VMoves')
    vmoves = {v.server_id: v for v in stack.conn.instance_ha.vmoves(uuid)}
    assert set(vmoves) == {s.id for s in ha}
    for server in ha:
        row = pane.locator('tr[data-object-id="%s,%s"]'
                           % (uuid, vmoves[server.id].uuid))
        text = row.inner_text()
        moved = stack.conn.compute.get_server(server.id)
        assert server.name in text and 'succeeded' in text
        assert failed in text and moved.compute_host in text
        assert moved.compute_host != failed
    panel.screenshot('notification-vmoves')

    # The VMoves panel lists the same moves; one's detail page.
    panel.goto(VMOVES)
    listed = panel.table_ids('vmove')
    for move in vmoves.values():
        assert '%s,%s' % (uuid, move.uuid) in listed
    panel.screenshot('vmoves')
    move = vmoves[ha[0].id]
    panel.page.click('#vmove tr[data-object-id="%s,%s"] a:text-is("%s")'
                     % (uuid, move.uuid, move.uuid))
    panel.page.wait_for_load_state('load')
    fields = panel.detail_fields()
    assert (fields['UUID'], fields['Server ID'], fields['Server Name'],
            fields['Source Host'], fields['Dest Host'], fields['Status']) \
        == (move.uuid, ha[0].id, ha[0].name, failed, move.dest_host,
            'succeeded')
