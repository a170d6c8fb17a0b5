"""The Nova driver's plumbing: results, errors, retries, client choice."""

from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc
import pytest

from masakari import context as masakari_context
from masakari.compute import client as nova_client
from masakari.compute import nova
from masakari.compute import resources
from masakari import exception


@pytest.fixture(autouse=True)
def fast_retries(conf, monkeypatch):
    monkeypatch.setattr(nova, 'RETRY_BASE_DELAY', 0.001)
    conf.set_override('call_retries', 2, 'nova')
    nova_client.reset_clients()
    yield
    nova_client.reset_clients()


class Flaky:
    """Raises the given errors in turn, then returns 'ok'."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return 'ok'


def test_server_from_nova_dict():
    server = resources.Server.from_dict({
        'id': 'u1', 'name': 'vm', 'metadata': {'HA_Enabled': 'True'},
        'locked': True, 'OS-EXT-STS:vm_state': 'error',
        'OS-EXT-STS:task_state': None, 'OS-EXT-STS:power_state': 0,
        'OS-EXT-SRV-ATTR:host': 'c1',
        'OS-EXT-SRV-ATTR:hypervisor_hostname': 'c1.example.org',
        'status': 'ERROR', 'fault': {'code': 500, 'message': 'boom'}})
    assert server.host == 'c1'
    assert server.hypervisor_hostname == 'c1.example.org'
    assert (server.vm_state, server.locked, server.fault) == (
        'error', True, 'boom')
    assert server.metadata_flag('HA_Enabled') is True
    assert resources.Server.from_dict({'id': 'u2'}).host is None


@pytest.mark.parametrize('flavor,size', [
    ({'vcpus': 2, 'ram': 4096, 'disk': 40, 'ephemeral': 10, 'swap': 0},
     (2, 4096, 50)),
    # Swap is in MiB: 1 MiB of swap takes a whole GiB, as Placement counts.
    ({'vcpus': 1, 'ram': 512, 'disk': 1, 'ephemeral': 0, 'swap': 1},
     (1, 512, 2)),
    ({'vcpus': 1, 'ram': 512, 'disk': 0, 'swap': 2048}, (1, 512, 2)),
    # Below compute API 2.47 the flavor is a link: no size.
    ({'id': '1', 'links': []}, (None, None, None)),
])
def test_server_size_from_the_embedded_flavor(flavor, size):
    server = resources.Server.from_dict({'id': 'u1', 'flavor': flavor})
    assert (server.vcpus, server.memory_mb, server.disk_gb) == size


def test_hypervisor_from_nova_dict():
    below_2_88 = resources.Hypervisor.from_dict({
        'id': 'n1', 'hypervisor_hostname': 'c1.example.org', 'state': 'up',
        'status': 'enabled', 'service': {'host': 'c1', 'id': 's1'},
        'vcpus': 8, 'vcpus_used': 2, 'memory_mb': 16384,
        'memory_mb_used': 4608, 'local_gb': 200, 'local_gb_used': 40})
    assert below_2_88.host == 'c1'
    assert below_2_88.has_statistics
    assert (below_2_88.vcpus_used, below_2_88.memory_mb_used) == (2, 4608)
    since_2_88 = resources.Hypervisor.from_dict({
        'id': 'n1', 'hypervisor_hostname': 'c1', 'state': 'up',
        'status': 'enabled', 'uptime': None})
    assert since_2_88.host == 'c1'
    assert not since_2_88.has_statistics


def test_service_down_when_forced_or_reported():
    service = resources.Service.from_dict({'id': 'x', 'host': 'h',
                                      'binary': 'nova-compute',
                                      'status': 'disabled', 'state': 'up',
                                      'forced_down': True})
    assert service.disabled and service.down
    assert not resources.Service.from_dict({'id': 1, 'state': 'up'}).down


@pytest.mark.parametrize('code,expected', [
    (400, exception.InvalidInput), (403, exception.Forbidden),
    (404, exception.NotFound), (409, exception.Conflict),
    (401, exception.NovaUnavailable), (503, exception.NovaUnavailable),
    (500, exception.MasakariException)])
def test_errors_are_translated(code, expected):
    error = nova_exc.from_response(
        type('Resp', (), {'status_code': code, 'headers': {}})(),
        {'badRequest': {'message': 'nope', 'code': code}}, '/x', 'GET')
    translated = nova._translate(error, 'do it')
    assert type(translated) is expected
    assert translated.code == expected.code
    if code not in (401,):
        assert 'nope' in translated.message


def test_server_404_is_instance_not_found():
    error = nova_exc.NotFound(404, 'gone')
    assert isinstance(nova._translate(error, 'get', instance_id='u1'),
                      exception.InstanceNotFound)


def test_connection_failures_are_retried_with_growing_delays(monkeypatch):
    sleeps = []
    monkeypatch.setattr(nova.time, 'sleep', sleeps.append)
    func = Flaky(ks_exc.ConnectFailure('refused'),
                 ks_exc.ConnectFailure('refused'))
    assert nova._call(None, 'x', func, idempotent=False) == 'ok'
    assert func.calls == 3
    assert sleeps == [0.001, 0.002]


def test_gives_up_after_the_configured_retries(conf):
    conf.set_override('call_retries', 1, 'nova')
    func = Flaky(*[ks_exc.ConnectFailure('refused')] * 5)
    with pytest.raises(exception.NovaUnavailable):
        nova._call(None, 'x', func)
    assert func.calls == 2


def test_timeouts_retry_only_what_is_safe_to_repeat():
    func = Flaky(ks_exc.ConnectTimeout('slow'))
    assert nova._call(None, 'x', func, idempotent=True) == 'ok'
    func = Flaky(ks_exc.ConnectTimeout('slow'))
    with pytest.raises(exception.NovaUnavailable):
        nova._call(None, 'evacuate', func, idempotent=False)
    assert func.calls == 1


def test_nova_unavailable_answers_are_retried_when_safe():
    func = Flaky(nova_exc.ClientException(503, 'busy'))
    assert nova._call(None, 'x', func) == 'ok'
    func = Flaky(nova_exc.Conflict(409, 'no'))
    with pytest.raises(exception.Conflict):
        nova._call(None, 'x', func)
    assert func.calls == 1


def test_legacy_catalog_info(conf):
    assert nova_client._legacy_catalog_info() == ('compute', 'nova', 'public')
    conf.set_override('nova_catalog_admin_info', 'compute::adminURL')
    assert nova_client._legacy_catalog_info() == ('compute', '', 'admin')


def test_one_client_per_configuration(conf):
    conf.set_override('auth_type', 'none', 'nova')
    conf.set_override('endpoint_override', 'http://127.0.0.1:1/v2.1',
                      'nova')
    first = nova_client.get_client()
    assert nova_client.get_client() is first
    assert str(first.api_version.get_string()) == '2.53'
    conf.set_override('endpoint_override', 'http://127.0.0.1:2/v2.1',
                      'nova')
    assert nova_client.get_client() is not first


def test_legacy_privileged_user_options(conf):
    conf.set_override('os_privileged_user_name', 'masakari')
    conf.set_override('os_privileged_user_password', 'secret')
    conf.set_override('os_privileged_user_tenant', 'service')
    conf.set_override('os_privileged_user_auth_url', 'http://keystone/v3')
    client = nova_client.get_client()
    adapter = client.client
    assert adapter.service_type == 'compute'
    assert adapter.interface == 'public'
    assert adapter.session.auth._username == 'masakari'


def test_without_credentials_the_callers_token_is_used(conf):
    context = masakari_context.RequestContext(
        auth_token='tok', service_catalog=[{
            'type': 'compute', 'name': 'nova', 'endpoints': [
                {'interface': 'public', 'region': 'RegionOne',
                 'url': 'http://nova/v2.1'}]}])
    client = nova_client.get_client(context)
    assert client.client.endpoint_override == 'http://nova/v2.1'
    with pytest.raises(exception.NovaUnavailable):
        nova_client.get_client(masakari_context.RequestContext())


@pytest.mark.parametrize('configured,asked', [
    ('2.53', '2.53'), ('2.94', '2.94'), ('2.95', '2.94'), ('2.96', '2.94')])
def test_microversion_is_capped_where_evacuation_changes(conf, configured,
                                                         asked):
    """From 2.95 Nova leaves an evacuated active server stopped, which the
    engine does not handle: it never asks for that."""
    conf.set_override('auth_type', 'none', 'nova')
    conf.set_override('endpoint_override', 'http://127.0.0.1:1/v2.1',
                      'nova')
    conf.set_override('api_microversion', configured, 'nova')
    assert nova_client.get_client().api_version.get_string() == asked
