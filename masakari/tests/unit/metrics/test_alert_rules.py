"""The shipped Prometheus alert rules: well formed, and every masakari
metric they use is one the engine or the API exports."""

import pathlib
import re

import yaml

from masakari.metrics import api as api_metrics
from masakari.metrics import engine as engine_metrics

RULES = (pathlib.Path(__file__).resolve().parents[4] / 'etc' / 'masakari' /
         'prometheus' / 'masakari-alerts.yaml')
METRIC = re.compile(r'\b(masakari_[a-z_]+)')


def exported_names():
    names = set()
    for family in engine_metrics.REGISTRY.collect():
        names.update(sample.name for sample in family.samples)
        names.add(family.name)
    # Series a histogram has once observed, and counters' _total.
    for family in engine_metrics.REGISTRY.collect():
        if family.type == 'histogram':
            names.update(family.name + suffix
                         for suffix in ('_bucket', '_count', '_sum'))
        if family.type == 'counter':
            names.add(family.name + '_total')
    names.update(api_metrics.FAMILIES)     # the API's, read at scrape
    return names


def test_the_rules_are_well_formed():
    groups = yaml.safe_load(RULES.read_text())['groups']
    rules = [rule for group in groups for rule in group['rules']]
    assert len(rules) >= 8
    assert len({rule['alert'] for rule in rules}) == len(rules)
    for rule in rules:
        assert set(rule) <= {'alert', 'expr', 'for', 'labels',
                             'annotations'}, rule
        assert rule['labels']['severity'] in ('warning', 'critical')
        assert rule['annotations']['summary']


def test_every_metric_the_rules_use_is_exported():
    used = set(METRIC.findall(RULES.read_text()))
    assert used
    assert used <= exported_names(), used - exported_names()

