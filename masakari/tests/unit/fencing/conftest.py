from masakari.tests.fixtures.bmc import bmc_inventory  # noqa: F401
