"""Upstream's ``masakari.api.openstack.ha.versions:Versions``."""

from masakari.api.handlers.versions import Versions

__all__ = ['Versions']
