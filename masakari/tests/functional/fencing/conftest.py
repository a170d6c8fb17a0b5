import pytest

from masakari.tests.fixtures.bmc import bmcs  # noqa: F401
from masakari.tests.fixtures.kdump import kdump_conf  # noqa: F401
from masakari.tests.fixtures.kdump import kdump_senders  # noqa: F401


@pytest.fixture(params=['redfish', 'ipmi'])
def bmc(request, bmcs):  # noqa: F811
    """The BMC of host compute1, one of each kind, powered on."""
    return getattr(bmcs, request.param)('compute1')
