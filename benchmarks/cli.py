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


def parse_args(parser, argv, api_url_needs):
    """``parser``'s arguments from ``argv``; given ``--api-url``, the
    option ``api_url_needs`` (an attribute name) must be given too, as
    argparse would say."""
    args = parser.parse_args(argv)
    if args.api_url and not getattr(args, api_url_needs):
        parser.error('--api-url needs --%s'
                     % api_url_needs.replace('_', '-'))
    return args


def write_json(path, data, **dump_options):
    """Write ``data`` to ``path`` (creating its folder) when a path is
    given."""
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as handle:
        json.dump(data, handle, indent=1, **dump_options)
