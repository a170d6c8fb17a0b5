"""What the benchmark commands share: options for the engine they start, the
check of the URLs they are given, and writing their results."""

import json
import os


def engine_options(items, base=None):
    """``{(section or None, name): value}`` from ``base`` and repeated
    ``--engine-option SECTION.NAME=VALUE`` items (no section: DEFAULT)."""
    options = dict(base or {})
    for item in items or []:
        key, _, value = item.partition('=')
        section, _, name = key.rpartition('.')
        options[(section or None, name)] = value
    return options


def require_together(parser, args, given, needed):
    """Fail like argparse when option ``given`` is set without ``needed``
    (both as attribute names of ``args``)."""
    if getattr(args, given) and not getattr(args, needed):
        parser.error('--%s needs --%s' % (given.replace('_', '-'),
                                          needed.replace('_', '-')))


def write_json(path, data, **dump_options):
    """Write ``data`` to ``path`` (creating its folder) when a path is
    given."""
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as handle:
        json.dump(data, handle, indent=1, **dump_options)
