"""The Nova client's HTTP session reads the environment once per endpoint
and still merges what each request asks for."""

from masakari.compute import client
from masakari.compute import http_session


def test_environment_settings_are_read_once_per_endpoint(monkeypatch):
    session = http_session.EnvironmentOnceSession()
    monkeypatch.setenv('https_proxy', 'http://proxy.example:3128')
    monkeypatch.setenv('no_proxy', 'nova.internal')
    first = session.merge_environment_settings(
        'https://nova.example/v2.1/servers', {}, None, True, None)
    assert first['proxies'].get('https') == 'http://proxy.example:3128'
    bypassed = session.merge_environment_settings(
        'https://nova.internal/v2.1/servers', {}, None, True, None)
    assert not bypassed['proxies'].get('https')
    # Read once: a change of the environment is not seen any more...
    monkeypatch.setenv('https_proxy', 'http://other.example:3128')
    again = session.merge_environment_settings(
        'https://nova.example/v2.1/os-services', {}, None, True, None)
    assert again == first
    # ...and what a caller changes in an answer is its own.
    again['proxies']['https'] = 'mangled'
    assert session.merge_environment_settings(
        'https://nova.example/', {}, None, True,
        None)['proxies']['https'] == 'http://proxy.example:3128'


def test_proxies_of_a_request_are_merged_as_requests_does():
    session = http_session.EnvironmentOnceSession()
    merged = session.merge_environment_settings(
        'https://nova.example/', {'https': 'http://mine:1'}, None, True,
        None)
    assert merged['proxies']['https'] == 'http://mine:1'


def test_the_nova_session_keeps_a_connection_per_evacuation_thread(conf):
    conf.set_override('host_failure_recovery_threads', 40)
    session = client._http_session()
    adapter = session.get_adapter('https://nova.example/')
    assert adapter is session.get_adapter('http://nova.example/')
    assert adapter._idle_limit == 80
    conf.set_override('host_failure_recovery_threads', 3)
    assert client._http_session().get_adapter(
        'http://nova.example/')._idle_limit == 10
