from masakari.tests.fixtures.bmc import bmc_inventory  # noqa: F401
from masakari.tests.fixtures.kdump import kdump_conf  # noqa: F401
