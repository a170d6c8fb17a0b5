"""The Nova client's HTTP transport against a real HTTP/1.1 server.

The session under the Nova client prepares plain requests itself and
sends them over ``http.client``; everything else goes the way requests
always sends it. These tests hold it to what requests and urllib3 did:
the same bytes on the wire, kept-alive connections, a reconnect when the
server closed one, TLS verification, client certificates, decoding,
cookies, proxies and the exceptions keystoneauth translates.
"""

import concurrent.futures
import json
import time

import pytest
import requests

from masakari.compute import http_session
from masakari.compute import http_transport
from masakari.tests.fixtures import http_origin


@pytest.fixture
def session():
    session = http_session.EnvironmentOnceSession()
    yield session
    session.close()


@pytest.fixture
def origin():
    with http_origin.Origin() as origin:
        yield origin


@pytest.fixture(scope='module')
def authority(tmp_path_factory):
    return http_origin.Authority(tmp_path_factory.mktemp('tls'))


def test_requests_share_one_kept_alive_connection(session, origin):
    for _ in range(5):
        assert session.get(origin.url + '/servers').json() == {'ok': True}
    assert origin.connections == 1


def test_a_connection_the_server_closed_while_idle_is_replaced(session):
    with http_origin.Origin(idle_timeout=0.2) as origin:
        assert session.get(origin.url + '/a').status_code == 200
        time.sleep(0.6)   # the server has closed the idle connection
        assert session.get(origin.url + '/b').status_code == 200
        assert origin.connections == 2
        assert [r['path'] for r in origin.requests] == ['/a', '/b']


def test_connection_close_is_honoured(session, origin):
    session.get(origin.url + '/close')
    session.get(origin.url + '/after')
    assert origin.connections == 2


def test_the_body_and_headers_sent_are_the_ones_requests_would_send(
        session, origin):
    body = json.dumps({'evacuate': {'host': 'höst-2'}}, ensure_ascii=False)
    answer = session.post(origin.url + '/echo?all_tenants=1', data=body,
                          headers={'Content-Type': 'application/json',
                                   'X-Auth-Token': 'secret-token',
                                   'X-Dropped': None})
    sent = origin.requests[-1]
    assert sent['path'] == '/echo?all_tenants=1'
    assert sent['body'] == body.encode('utf-8')
    assert sent['headers']['Content-Length'] == str(len(body.encode()))
    assert sent['headers']['X-Auth-Token'] == 'secret-token'
    assert 'X-Dropped' not in sent['headers']
    assert sent['headers']['Accept-Encoding'] == 'gzip, deflate'
    assert answer.content == body.encode('utf-8')
    session.post(origin.url + '/empty')
    assert origin.requests[-1]['headers']['Content-Length'] == '0'


@pytest.mark.parametrize('method', ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'])
@pytest.mark.parametrize('data', [None, '', '{"a": "é"}', b'{"a": 1}'])
def test_plain_preparation_matches_requests(session, method, data):
    request = requests.Request(
        method, 'https://nova.example:8774/v2.1/servers/x?changes-since='
        '2026-12-03T07%3A00%3A00Z&host=compute-1',
        headers={'X-OpenStack-Nova-API-Version': '2.94',
                 'User-Agent': 'masakari', 'Accept': None},
        data=data or {})
    lean = session.prepare_request(request)
    full = requests.Session.prepare_request(session, request)
    assert lean is not full
    assert (lean.method, lean.url, lean.body) == (full.method, full.url,
                                                  full.body)
    assert dict(lean.headers) == dict(full.headers)


def test_what_needs_merging_is_prepared_by_requests(session, origin):
    answer = session.get(origin.url + '/servers',
                         params={'host': 'compute 1'})
    assert origin.requests[-1]['path'] == '/servers?host=compute+1'
    assert answer.url.endswith('/servers?host=compute+1')


def test_gzip_and_deflate_answers_are_decoded(session, origin):
    assert session.get(origin.url + '/gzip').json() == {'ok': True}
    assert session.get(origin.url + '/deflate').json() == {'ok': True}


def test_cookies_reach_the_jar_and_go_back(session, origin):
    session.get(origin.url + '/cookie')
    assert session.cookies.get('route') == 'node1'
    session.get(origin.url + '/next')
    assert origin.requests[-1]['headers']['Cookie'] == 'route=node1'


def test_error_status_is_an_answer_not_an_exception(session, origin):
    answer = session.get(origin.url + '/x', headers={'X-Status': '409'})
    assert answer.status_code == 409
    assert answer.json() == {'ok': True}


def test_read_timeout_is_requests_read_timeout(session, origin):
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(origin.url + '/slow', timeout=0.2)
    # The timed-out connection was not put back: the next request works.
    assert session.get(origin.url + '/fine', timeout=5).status_code == 200


def test_refused_connection_is_requests_connection_error(session, origin):
    url = origin.url
    origin.__exit__(None, None, None)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url + '/gone', timeout=2)


def test_a_proxy_for_the_endpoint_is_used_as_requests_would(session,
                                                              origin):
    session.get('http://nova.invalid:8774/v2.1/servers',
                proxies={'http': origin.url})
    assert origin.requests[-1]['path'] == (
        'http://nova.invalid:8774/v2.1/servers')


def test_a_streamed_answer_is_left_to_requests(session, origin):
    answer = session.get(origin.url + '/stream', stream=True)
    assert answer.raw.read() == b'{"ok": true}'


def test_tls_with_the_operators_ca_file(session, authority):
    with http_origin.Origin(tls=authority.server_context()) as origin:
        answer = session.get(origin.url + '/tls', verify=authority.ca_file)
        assert answer.json() == {'ok': True}
        session.get(origin.url + '/again', verify=authority.ca_file)
        assert origin.connections == 1


def test_tls_rejects_a_server_the_bundle_does_not_trust(session,
                                                        authority):
    with http_origin.Origin(tls=authority.server_context()) as origin:
        with pytest.raises(requests.exceptions.SSLError):
            session.get(origin.url + '/tls', verify=True)
        assert origin.requests == []


def test_tls_without_verification_when_asked(session, authority):
    with http_origin.Origin(tls=authority.server_context()) as origin:
        assert session.get(origin.url + '/tls',
                           verify=False).status_code == 200


def test_tls_client_certificate(session, authority):
    context = authority.server_context(require_client_cert=True)
    with http_origin.Origin(tls=context) as origin:
        answer = session.get(
            origin.url + '/mtls', verify=authority.ca_file,
            cert=(authority.client_cert, authority.client_key))
        assert answer.status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            session.get(origin.url + '/anonymous', verify=authority.ca_file)
        assert [r['path'] for r in origin.requests] == ['/mtls']


def test_a_missing_ca_file_is_an_error(session, authority, tmp_path):
    with http_origin.Origin(tls=authority.server_context()) as origin:
        with pytest.raises(OSError):
            session.get(origin.url + '/tls',
                        verify=str(tmp_path / 'missing.pem'))


def test_idle_connections_beyond_the_pool_size_are_closed(origin):
    adapter = http_transport.StdlibHTTPAdapter(pool_maxsize=1)
    session = requests.Session()
    session.mount('http://', adapter)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: session.get(origin.url + '/slow'), range(4)))
    assert origin.connections == 4
    assert sum(len(idle) for idle in adapter._idle.values()) == 1
    session.get(origin.url + '/reuse')
    assert origin.connections == 4
    adapter.close()
