"""Options read from files as operators write them."""

import pytest

from masakari.conf import CONF


def _load(tmp_path, text):
    path = tmp_path / 'flows.conf'
    path.write_text('[taskflow_driver_recovery_flows]\n' + text)
    CONF(['--config-file', str(path)], project='masakari',
         default_config_files=[])
    return CONF.taskflow_driver_recovery_flows


@pytest.mark.parametrize('value', [
    "pre:['a','b'],main:['c'],post:[]",
    "{'pre': ['a', 'b'], 'main': ['c'], 'post': []}",
])
def test_recovery_flow_forms(conf, tmp_path, value):
    flows = _load(tmp_path, 'host_auto_failure_recovery_tasks = %s\n' % value)
    assert flows.host_auto_failure_recovery_tasks == {
        'pre': ['a', 'b'], 'main': ['c'], 'post': []}
    # untouched options keep upstream's defaults
    assert flows.process_failure_recovery_tasks == {
        'pre': ['disable_compute_node_task'],
        'main': ['confirm_compute_node_disabled_task'], 'post': []}


def test_malformed_recovery_flow_is_refused(conf, tmp_path):
    flows = _load(tmp_path, "host_auto_failure_recovery_tasks = {'pre': [\n")
    with pytest.raises(ValueError):
        assert flows.host_auto_failure_recovery_tasks is None
