"""The standalone HTTP server (``masakari.common.wsgi_server``, cheroot):
keep-alive, slow clients, header limits, graceful SIGTERM, worker
processes. The first tests serve a tiny app in this process; the last run
``masakari-api`` as operators do."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from masakari.common import wsgi_server
from masakari.tests.functional.api import test_servers

ROOT = test_servers.ROOT


def echo_app(environ, start_response):
    """Answers with the client's port (which connection this came on);
    ``/sleep`` takes half a second."""
    if environ['PATH_INFO'] == '/sleep':
        time.sleep(0.5)
    body = environ['REMOTE_PORT'].encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]


@pytest.fixture
def serve():
    servers = []

    def _serve(app=echo_app, **settings):
        server = wsgi_server.WSGIServer(
            app, settings=wsgi_server.ServerSettings(**settings)).start()
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.stop()


def test_keep_alive_serves_many_requests_on_one_connection(serve):
    server = serve()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    ports = set()
    for _ in range(5):
        conn.request('GET', '/')
        response = conn.getresponse()
        ports.add(response.read())
        assert response.status == 200
        assert response.getheader('Connection') != 'close'
    conn.close()
    assert len(ports) == 1


def test_api_keeps_the_connection_open(api):
    conn = http.client.HTTPConnection('127.0.0.1', api.server.port,
                                      timeout=10)
    conn.connect()
    first_socket = conn.sock
    for path in ('/v1/segments', '/v1/segments?limit=1', '/', '/v1/hosts'):
        conn.request('GET', path)
        response = conn.getresponse()
        response.read()
        assert response.status in (200, 300, 404)
        assert response.getheader('Connection') != 'close'
        assert conn.sock is first_socket
    conn.close()


def test_keep_alive_can_be_turned_off(serve):
    server = serve(keep_alive_connections=0)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request('GET', '/')
    response = conn.getresponse()
    response.read()
    assert response.getheader('Connection') == 'close'


def test_a_slow_client_does_not_block_others(serve):
    """A client that sends half a request holds one thread until
    ``client_timeout``; the other threads serve everyone else, and the
    slow client is then disconnected."""
    server = serve(threads=2, client_timeout=1.5)
    slow = socket.create_connection((server.host, server.port))
    slow.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')
    time.sleep(0.2)
    started = time.monotonic()
    with requests.Session() as session:
        for _ in range(20):
            assert session.get(server.url, timeout=5).status_code == 200
    assert time.monotonic() - started < 1.0
    slow.settimeout(5)
    started = time.monotonic()
    slow.recv(65536)  # b'' or an error page: the server gave up on it
    assert time.monotonic() - started < 3
    slow.close()


def test_requests_beyond_the_threads_wait_their_turn(serve):
    """Two threads, six half-second requests at once: all answered, in
    about three rounds (the pool is bounded, nothing is refused)."""
    server = serve(threads=2)
    results = []

    def call():
        results.append(requests.get(server.url + '/sleep', timeout=10))

    callers = [threading.Thread(target=call) for _ in range(6)]
    started = time.monotonic()
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    elapsed = time.monotonic() - started
    assert [r.status_code for r in results] == [200] * 6
    assert 1.4 < elapsed < 4


def _raw_request(server_port, headers):
    with socket.create_connection(('127.0.0.1', server_port)) as sock:
        sock.settimeout(10)
        sock.sendall(b'GET /v1/segments HTTP/1.1\r\nHost: x\r\n' + headers +
                     b'\r\n')
        return sock.recv(65536).split(b'\r\n', 1)[0]


def test_oversized_headers_get_a_4xx(api):
    status_line = _raw_request(api.server.port,
                               b'X-Big: ' + b'a' * 70000 + b'\r\n')
    assert status_line.split()[1].startswith(b'4'), status_line
    many = b''.join(b'X-H%d: %s\r\n' % (i, b'b' * 100) for i in range(700))
    status_line = _raw_request(api.server.port, many)
    assert status_line.split()[1].startswith(b'4'), status_line
    # Below the limit all is well.
    assert _raw_request(api.server.port, b'X-Small: 1\r\n').split()[1] == \
        b'200'


def test_an_oversized_request_line_gets_414(api):
    with socket.create_connection(('127.0.0.1', api.server.port)) as sock:
        sock.settimeout(10)
        sock.sendall(b'GET /v1/segments?x=' + b'a' * 70000 +
                     b' HTTP/1.1\r\nHost: x\r\n\r\n')
        assert sock.recv(65536).split()[1] == b'414'


def test_access_log(api, caplog):
    with caplog.at_level('INFO', logger='masakari.api.access'):
        assert api.get('/segments').status_code == 200
    lines = [r.getMessage() for r in caplog.records
             if r.name == 'masakari.api.access']
    assert len(lines) == 1
    assert '"GET /v1/segments HTTP/1.1" status: 200 len: ' in lines[0]


# --- masakari-api in its own process -----------------------------------------
def _start_api(database, nova, tmp_path, workers):
    port = test_servers._free_port()
    config = test_servers._write_config(str(tmp_path), database, nova,
                                        port=port)
    with open(config, 'a') as conf_file:
        conf_file.write('[DEFAULT]\nmasakari_api_workers = %d\n' % workers)
    process = subprocess.Popen(
        [sys.executable, '-m', 'masakari.cmd.api', '--config-file', config],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = 'http://127.0.0.1:%d' % port
    test_servers._wait_until_up(base + '/', process)
    return process, base


def _children(pid):
    with open('/proc/%d/task/%d/children' % (pid, pid)) as children:
        return [int(child) for child in children.read().split()]


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_worker_count_is_honoured(database, nova, tmp_path):
    process, base = _start_api(database, nova, tmp_path, workers=3)
    try:
        workers = _children(process.pid)
        assert len(workers) == 3
        for _ in range(10):
            assert requests.get(base + '/v1/segments',
                                timeout=10).status_code == 200
        # A worker that dies is replaced.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = _children(process.pid)
            if len(now) == 3 and workers[0] not in now:
                break
            time.sleep(0.1)
        assert len(now) == 3 and workers[0] not in now, now
    finally:
        assert _stop(process) == 0
    for pid in workers[1:]:
        assert not os.path.exists('/proc/%d/status' % pid) or \
            'zombie' in open('/proc/%d/status' % pid).read()


@pytest.mark.parametrize('workers', [1, 2])
def test_sigterm_lets_the_request_in_flight_finish(database, nova, tmp_path,
                                                   workers):
    """A host create waits 2 s for Nova; SIGTERM arrives in the middle:
    the request is answered, then the server exits 0 and accepts no new
    connection."""
    process, base = _start_api(database, nova, tmp_path, workers)
    try:
        segment = requests.post(base + '/v1/segments', json={'segment': {
            'name': 'seg', 'recovery_method': 'auto',
            'service_type': 'COMPUTE'}}, timeout=10).json()['segment']
        nova.state.settings.update(api_latency=2.0)
        answers = []

        def create_host():
            answers.append(requests.post(
                base + '/v1/segments/%s/hosts' % segment['uuid'],
                json={'host': {'name': 'compute1', 'type': 'COMPUTE',
                               'control_attributes': 'ssh'}}, timeout=30))

        caller = threading.Thread(target=create_host)
        caller.start()
        time.sleep(0.7)
        process.send_signal(signal.SIGTERM)
        caller.join()
        assert answers[0].status_code == 201, answers[0].text
        assert process.wait(timeout=30) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(base + '/', timeout=5)
    finally:
        nova.state.settings.update(api_latency=0.0)
        _stop(process)
