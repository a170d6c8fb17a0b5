"""A minimal URL router: one table, template -> {method -> handler}.

Both the Nova API and the admin API declare their surface as such a table,
so the whole API is visible in one place; 404 and 405 come from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from masakari.simulator import errors

Handler = Callable[..., Any]


class Router:
    def __init__(self, table: dict[str, dict[str, Handler]]):
        self._routes = [(self._compile(template), methods)
                        for template, methods in table.items()]
        self._templates = list(table)

    @staticmethod
    def _compile(template: str) -> re.Pattern:
        pattern = re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template)
        return re.compile('^%s$' % pattern)

    def template(self, path: str) -> str | None:
        """The route template ``path`` falls under, None if none."""
        for (regex, _), template in zip(self._routes, self._templates,
                                        strict=True):
            if regex.match(path):
                return template
        return None

    def match(self, method: str, path: str) -> tuple[Handler, dict]:
        """The handler and URL parameters; NotFound/MethodNotAllowed."""
        for regex, methods in self._routes:
            found = regex.match(path)
            if found is None:
                continue
            handler = methods.get(method)
            if handler is None:
                raise errors.MethodNotAllowed(
                    'The method %s is not allowed for this resource.'
                    % method)
            return handler, found.groupdict()
        raise errors.NotFound('The resource could not be found.')
