"""``/flavors``: the fixed flavor set, enough for ``servers.create``."""

from __future__ import annotations

from masakari.simulator import errors
from masakari.simulator import flavors
from masakari.simulator import views


def index(ctx) -> tuple[int, dict]:
    return 200, {'flavors': [views.flavor(ctx, f, detail=False)
                             for f in flavors.FLAVORS.values()]}


def detail(ctx) -> tuple[int, dict]:
    return 200, {'flavors': [views.flavor(ctx, f, detail=True)
                             for f in flavors.FLAVORS.values()]}


def show(ctx, flavor_id: str) -> tuple[int, dict]:
    flavor = flavors.FLAVORS.get(flavor_id)
    if flavor is None:
        raise errors.NotFound('Flavor %s could not be found.' % flavor_id)
    return 200, {'flavor': views.flavor(ctx, flavor, detail=True)}
