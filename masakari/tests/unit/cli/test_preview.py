"""How ``openstack segment host recovery preview`` words the fencing."""

import pytest

from masakari.cli import preview


@pytest.mark.parametrize('fencing,text', [
    ({'fenced_first': False, 'driver': None, 'kdump_wait_seconds': 0.0,
      'error': None}, 'not fenced'),
    ({'fenced_first': False, 'driver': None, 'kdump_wait_seconds': 0.0,
      'error': 'cannot read bmc.yaml'}, 'cannot fence: cannot read bmc.yaml'),
    ({'fenced_first': True, 'driver': 'ipmi', 'kdump_wait_seconds': 0.0,
      'error': None}, 'powered off through ipmi first'),
    ({'fenced_first': True, 'driver': 'redfish', 'kdump_wait_seconds': 30.0,
      'error': None},
     'powered off through redfish first (unless a fence_kdump message '
     'comes from it within 30 s: then not powered off)'),
    # An API from before the kdump wait.
    ({'fenced_first': True, 'driver': 'redfish', 'error': None},
     'powered off through redfish first'),
])
def test_fencing_text(fencing, text):
    assert preview._fencing(fencing) == text
