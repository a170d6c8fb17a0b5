"""The README's first command: the all-in-one demo recovers a failed host."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize('method', ['auto', 'reserved_host'])
def test_demo_recovers_every_ha_instance(tmp_path, method):
    result = subprocess.run(
        [sys.executable, '-m', 'masakari.cmd.aio', 'demo', '--servers', '5',
         '--non-ha', '1', '--evacuate-seconds', '0.1:0.3', '--port', '0',
         '--recovery-method', method, '--state-dir', str(tmp_path)],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Notification ended finished' in result.stdout
    assert 'evacuated exactly once' in result.stdout
    # Every HA-enabled row ends recovered; the non-HA one is left alone.
    rows = [line.split() for line in result.stdout.splitlines()
            if line.startswith('  ha-vm') or line.startswith('  plain-vm')]
    final = {row[0]: row[1] for row in rows}
    assert sorted(final.values()) == ['recovered'] * 4 + ['skipped']
    if method == 'reserved_host':
        assert all(row[-1] == 'spare1' for row in rows
                   if row[0].startswith('ha-vm') and row[1] == 'recovered')
