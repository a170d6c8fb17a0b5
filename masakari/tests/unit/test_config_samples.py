"""The shipped samples list every option and policy masakari defines."""

import os

from masakari.conf import opts
from masakari import policies

ETC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                   'masakari')


def _read(name):
    with open(os.path.join(ETC, name)) as handle:
        return handle.read()


def test_config_sample_lists_every_option():
    sample = _read('masakari.conf.sample')
    for group, group_opts in opts.list_opts():
        name = getattr(group, 'name', group)
        assert '[%s]' % name in sample
        for opt in group_opts:
            assert '#%s =' % opt.dest in sample, (name, opt.dest)


def test_recovery_flow_sample_lists_every_flow():
    sample = _read('masakari-custom-recovery-methods.conf.sample')
    for _group, group_opts in opts.list_recovery_flow_opts():
        for opt in group_opts:
            assert '#%s =' % opt.dest in sample


def test_policy_sample_lists_every_rule():
    sample = _read('policy.yaml.sample')
    rules = list(policies.list_rules())
    assert len(rules) >= 27
    for rule in rules:
        assert '"%s"' % rule.name in sample
