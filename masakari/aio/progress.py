"""Live view of a recovery: one row per instance of the failed host.

On a terminal the table is redrawn in place; otherwise (a pipe, CI) a line
is printed whenever an instance changes phase, so logs stay readable.
"""

import dataclasses
import sys
import time

PHASES = ('waiting', 'evacuating', 'recovered', 'failed', 'skipped')


@dataclasses.dataclass
class InstanceRow:
    name: str
    ha_enabled: bool
    source: str
    target: str = ''
    phase: str = 'waiting'
    vm_state: str = ''
    started: float | None = None
    finished: float | None = None

    def elapsed(self, now):
        if self.started is None:
            return ''
        return '%.1fs' % ((self.finished or now) - self.started)


def phase_of(info, source_host):
    """Where an instance stands, judged from Nova's (the simulator's) view."""
    if info['task_state'] in ('rebuilding', 'rebuild_spawning',
                              'rebuild_block_device_mapping'):
        return 'evacuating'
    if info['host'] != source_host:
        if info['vm_state'] == 'error':
            return 'failed'
        return 'recovered'
    if info['vm_state'] == 'error' and info['evacuations']:
        return 'failed'
    return 'waiting'


class ProgressView:
    """Renders rows and the notification status, in place or as a log."""

    def __init__(self, rows, stream=None):
        self.rows = rows
        self.stream = stream or sys.stdout
        self.interactive = self.stream.isatty()
        self._drawn_lines = 0
        self._last_phase = {}
        self.t0 = time.monotonic()

    def update(self, infos, source_host, status):
        now = time.monotonic()
        for row in self.rows:
            info = infos.get(row.name)
            if info is None:
                continue
            phase = phase_of(info, source_host)
            row.vm_state = info['vm_state']
            if phase != 'waiting' and row.started is None:
                row.started = now
            if phase in ('recovered', 'failed') and row.finished is None:
                row.finished = now
                row.target = info['host']
            row.phase = phase
        self._render(now, status)

    def _render(self, now, status):
        if self.interactive:
            self._redraw(now, status)
            return
        for row in self.rows:
            if self._last_phase.get(row.name) != row.phase:
                self._last_phase[row.name] = row.phase
                target = ' -> %s' % row.target if row.target else ''
                self.stream.write('  [%6.1fs] %-22s %-10s %s%s\n' % (
                    now - self.t0, row.name, row.phase, row.source, target))
        self.stream.flush()

    def _redraw(self, now, status):
        lines = ['  %-22s %-3s %-24s %-11s %-8s %s' % (
            'instance', 'HA', 'source -> target', 'phase', 'vm_state',
            'time')]
        for row in self.rows:
            bar = _bar(row.phase)
            lines.append('  %-22s %-3s %-24s %-11s %-8s %s %s' % (
                row.name[:22], 'yes' if row.ha_enabled else 'no',
                ('%s -> %s' % (row.source, row.target or '?'))[:24],
                row.phase, row.vm_state, bar, row.elapsed(now)))
        lines.append('  notification: %-10s elapsed %.1fs'
                     % (status, now - self.t0))
        if self._drawn_lines:
            self.stream.write('\x1b[%dA' % self._drawn_lines)
        for line in lines:
            self.stream.write('\x1b[2K' + line + '\n')
        self._drawn_lines = len(lines)
        self.stream.flush()


def _bar(phase, width=10):
    filled = {'waiting': 0, 'evacuating': width // 2, 'recovered': width,
              'failed': width, 'skipped': width}[phase]
    char = 'x' if phase == 'failed' else '#'
    return '[' + char * filled + '.' * (width - filled) + ']'
