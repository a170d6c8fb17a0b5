"""``masakari-engine`` as a process: starts, and stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time


def test_engine_process_stops_on_sigterm(tmp_path):
    conf = tmp_path / 'masakari.conf'
    log = tmp_path / 'engine.log'
    conf.write_text(
        '[DEFAULT]\ntransport_url = fake://\nperiodic_enable = false\n'
        'host = engine-cmd-test\ngraceful_shutdown_timeout = 5\n'
        'log_file = %s\n'
        '[database]\nconnection = sqlite:///%s\n'
        '[nova]\nauth_type = none\nendpoint_override = http://127.0.0.1:9\n'
        % (log, tmp_path / 'db.sqlite'))
    process = subprocess.Popen(
        [sys.executable, '-c',
         'import sys; from masakari.cmd import engine; '
         'sys.exit(engine.main())', '--config-file', str(conf)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONWARNINGS='ignore'))
    try:
        deadline = time.monotonic() + 30
        while 'Starting masakari-engine' not in (
                log.read_text() if log.exists() else ''):
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, 'engine did not start'
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log.read_text()
    assert 'masakari-engine on engine-cmd-test stopped' in text
