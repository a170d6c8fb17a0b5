"""The console script as an operator runs it: serve, answer, stop."""

import signal
import subprocess
import sys

import requests


def test_serves_until_sigterm():
    process = subprocess.Popen(
        [sys.executable, '-m', 'masakari.cmd.simulator', '--port', '0',
         '--hosts', '2', '--servers-per-host', '1'],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith('compute endpoint: http://127.0.0.1:')
        endpoint = first.split()[-1]
        admin = process.stdout.readline().split()[-1]
        services = requests.get(endpoint + '/os-services?binary=nova-compute',
                                timeout=5).json()['services']
        assert sorted(s['host'] for s in services) == ['compute1',
                                                       'compute2']
        dump = requests.get(admin + '/state', timeout=5).json()
        assert len(dump['servers']) == 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
