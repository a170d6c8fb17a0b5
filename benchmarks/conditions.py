"""Under which conditions a benchmark result holds.

A figure without its conditions cannot be compared: the same engine takes
2.5 s or 62.5 s depending on whether Nova is told the host is down. Every
results file of the recovery benchmark records what this module gathers:
the commit measured, the engine options that decide how a host failure is
handled, and the simulator's settings; ``describe`` renders them for the
page, next to the table they belong to.
"""

import subprocess

from benchmarks import rst

# The engine options that change how fast and how a host is recovered:
# (section, name) -> (label, default when the benchmark does not set it).
# The defaults are masakari's own (masakari/conf), except
# force_down_failed_host, which benchmarks.services.Stack sets to true.
ENGINE_OPTIONS = (
    (('host_failure', 'force_down_failed_host'), 'force_down_failed_host',
     'true'),
    (('fencing', 'bmc_inventory_file'), 'fencing', ''),
    ((None, 'host_failure_recovery_threads'), 'P', None),
    (('host_failure', 'evacuation_watch_interval'),
     'evacuation_watch_interval', '0.5'),
    (('nova_events', 'enabled'), 'nova_events', 'false'),
    ((None, 'verify_interval'), 'verify_interval', '1'),
    (('host_failure', 'watched_evacuation_poll_interval'),
     'watched_evacuation_poll_interval', '10.0'),
)


def git_state(root):
    """``{'commit': sha, 'dirty': bool}`` of the checkout at ``root``
    (None values outside a git checkout)."""
    try:
        commit = subprocess.run(
            ['git', 'rev-parse', 'HEAD'], cwd=root, check=True,
            capture_output=True, text=True).stdout.strip()
        status = subprocess.run(
            ['git', 'status', '--porcelain', '--untracked-files=no'],
            cwd=root, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {'commit': None, 'dirty': None}
    return {'commit': commit, 'dirty': bool(status.strip())}


def engine(options, fencing_driver=None):
    """The options of ``ENGINE_OPTIONS`` as the engine ran with them:
    ``options`` is ``{(section, name): value}``; what it lacks has its
    default. The inventory file becomes the fencing driver's name (or
    ``none``)."""
    out = {}
    for key, label, default in ENGINE_OPTIONS:
        value = options.get(key, default)
        if label == 'fencing':
            value = (fencing_driver or 'configured') if value else 'none'
        out[label] = None if value is None else str(value).lower()
    return out


def _value(value):
    if isinstance(value, dict) and set(value) == {'min', 'max'}:
        if value['min'] == value['max']:
            return '%g' % value['min']
        return '%g-%g' % (value['min'], value['max'])
    if isinstance(value, float):
        return '%g' % value
    return str(value)


def describe(conditions, git=None):
    """Bullets: the commit, the engine options, the simulator settings."""
    lines = []
    if git and git.get('commit'):
        lines.append(rst.bullet('Commit ``%s``%s.' % (
            git['commit'][:12], ' with uncommitted changes'
            if git.get('dirty') else '')))
    options = (conditions or {}).get('engine') or {}
    if options:
        lines.append(rst.bullet('Engine: %s.' % ', '.join(
            '``%s`` %s' % (name, value if value is not None else 'per row')
            for name, value in options.items())))
    settings = (conditions or {}).get('simulator') or {}
    if settings:
        profile = (conditions or {}).get('profile')
        lines.append(rst.bullet('Simulator%s: %s.' % (
            ' (profile ``%s``)' % profile if profile else '',
            ', '.join('``%s`` %s' % (name, _value(value))
                      for name, value in sorted(settings.items())))))
    return '\n'.join(lines) + ('\n' if lines else '')
