"""What the benchmarks ran on, and how busy it was."""

import os
import platform
import re
import subprocess
import sys


def _cpu_model():
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def _memory_gib():
    try:
        with open('/proc/meminfo') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _postgresql_version():
    try:
        out = subprocess.run(['psql', '--version'], capture_output=True,
                             text=True, timeout=5).stdout
        found = re.search(r'\d+(\.\d+)+', out or '')
        return found.group(0) if found else None
    except (OSError, subprocess.SubprocessError):
        return None


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def describe():
    memory = _memory_gib()
    return {
        'cpu': _cpu_model(),
        'cores': os.cpu_count(),
        'memory_gib': round(memory, 1) if memory else None,
        'os': '%s %s' % (platform.system(), platform.release()),
        'python': sys.version.split()[0],
        'postgresql': _postgresql_version(),
    }
