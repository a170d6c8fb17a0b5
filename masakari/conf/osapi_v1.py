"""Deprecated ``[osapi_v1]`` options, kept so existing configs still load."""

from oslo_config import cfg

osapi_v1_group = cfg.OptGroup('osapi_v1', title='API v1 options')

osapi_v1_opts = [
    cfg.ListOpt('extensions_blacklist', default=[],
                deprecated_for_removal=True,
                deprecated_reason='All API resources are always loaded.',
                help='Ignored.'),
    cfg.ListOpt('extensions_whitelist', default=[],
                deprecated_for_removal=True,
                deprecated_reason='All API resources are always loaded.',
                help='Ignored.'),
    cfg.StrOpt('project_id_regex', deprecated_for_removal=True,
               deprecated_reason='Project ids are always hex with dashes.',
               help='Regular expression that a project id in the URL must '
                    'match; defaults to [0-9a-f\\-]+.'),
]


def register_opts(conf):
    conf.register_group(osapi_v1_group)
    conf.register_opts(osapi_v1_opts, group=osapi_v1_group)


def list_opts():
    return {osapi_v1_group: osapi_v1_opts}
