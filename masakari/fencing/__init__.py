"""Fencing: making sure a failed compute host is powered off, through its
BMC, before the engine evacuates its instances.

``api`` holds the operations the engine and ``masakari-manage`` call,
``inventory`` reads which BMC powers which host, ``drivers`` speak the BMC
protocols (Redfish, IPMI), ``kdump`` hears hosts that are writing a crash
dump (those count as fenced without a power-off) and ``errors`` holds the
exceptions. Nothing here ever powers a host on by itself.
"""
