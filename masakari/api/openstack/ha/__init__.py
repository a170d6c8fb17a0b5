"""Upstream's ``masakari.api.openstack.ha:APIRouterV1`` (api-paste.ini)."""

from masakari.api.router import APIRouter as APIRouterV1

__all__ = ['APIRouterV1']
