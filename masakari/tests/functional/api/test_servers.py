"""The API as operators run it, in its own process: under gunicorn with
``masakari.wsgi.api:application`` and as the ``masakari-api`` console
script."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

import masakari
from masakari.api import app as api_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(masakari.__file__)))
GUNICORN = os.path.join(os.path.dirname(sys.executable), 'gunicorn')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _write_config(directory, database, nova, port=None):
    lines = ['[DEFAULT]', 'auth_strategy = noauth2',
             'transport_url = fake://', 'use_stderr = true']
    if port is not None:
        lines += ['masakari_api_listen = 127.0.0.1',
                  'masakari_api_listen_port = %d' % port]
    lines += ['[database]', 'connection = %s' % database,
              '[nova]', 'auth_type = none',
              'endpoint_override = %s' % nova.url]
    path = os.path.join(directory, 'masakari.conf')
    with open(path, 'w') as conf_file:
        conf_file.write('\n'.join(lines) + '\n')
    return path


def _wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError('server exited: %s' % (
                process.stdout.read() if process.stdout else ''))
        try:
            # gunicorn accepts connections before its worker has loaded
            # the app: a slow first answer is not a failure.
            return requests.get(url, timeout=10)
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError('server did not answer on %s' % url)


def _check_api(base):
    response = requests.get(base + '/v1/segments', timeout=10)
    assert response.status_code == 200
    assert response.headers['OpenStack-API-Version'] == 'instance-ha 1.0'
    created = requests.post(base + '/v1/segments', json={'segment': {
        'name': 'seg', 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}}, timeout=10)
    assert created.status_code == 201, created.text
    segment = created.json()['segment']
    host = requests.post(
        base + '/v1/segments/%s/hosts' % segment['uuid'],
        json={'host': {'name': 'compute1', 'type': 'COMPUTE',
                       'control_attributes': 'ssh'}}, timeout=10)
    assert host.status_code == 201, host.text
    assert requests.get(base + '/healthcheck', timeout=10).text == 'OK'


@pytest.fixture
def server_env(database, nova):
    return dict(os.environ, PYTHONPATH=ROOT)


def test_gunicorn(server_env, database, nova, tmp_path):
    config_dir = tmp_path / 'etc'
    config_dir.mkdir()
    _write_config(str(config_dir), database, nova)
    shutil.copy(api_app.find_paste_config(),
                str(config_dir / 'api-paste.ini'))
    port = _free_port()
    env = dict(server_env, OS_MASAKARI_CONFIG_DIR=str(config_dir))
    process = subprocess.Popen(
        [GUNICORN, '--bind', '127.0.0.1:%d' % port, '--workers', '1',
         'masakari.wsgi.api:application'],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        base = 'http://127.0.0.1:%d' % port
        root = _wait_until_up(base + '/', process)
        assert root.status_code == 200
        _check_api(base)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_masakari_api_console_script(server_env, database, nova, tmp_path):
    port = _free_port()
    config = _write_config(str(tmp_path), database, nova, port=port)
    process = subprocess.Popen(
        [sys.executable, '-m', 'masakari.cmd.api', '--config-file', config],
        cwd=ROOT, env=server_env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        base = 'http://127.0.0.1:%d' % port
        root = _wait_until_up(base + '/', process)
        assert root.status_code == 200
        _check_api(base)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_wsgi_application_is_in_the_module_namespace(server_env, database,
                                                     nova, tmp_path):
    """uWSGI and mod_wsgi find ``application`` in the module's namespace
    (a module ``__getattr__`` is never asked): look it up the same way and
    serve a request with it."""
    config_dir = tmp_path / 'etc'
    config_dir.mkdir()
    _write_config(str(config_dir), database, nova)
    shutil.copy(api_app.find_paste_config(),
                str(config_dir / 'api-paste.ini'))
    script = '\n'.join([
        'import importlib, json, wsgiref.util',
        "module = importlib.import_module('masakari.wsgi.api')",
        "app = vars(module)['application']",
        "environ = {'PATH_INFO': '/v1/segments', 'REQUEST_METHOD': 'GET'}",
        'wsgiref.util.setup_testing_defaults(environ)',
        'status = []',
        'body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))',
        'print(json.dumps([status[0], json.loads(body)]))'])
    result = subprocess.run(
        [sys.executable, '-c', script], cwd=ROOT, capture_output=True,
        text=True, timeout=120,
        env=dict(server_env, OS_MASAKARI_CONFIG_DIR=str(config_dir)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == \
        '["200 OK", {"segments": []}]'
