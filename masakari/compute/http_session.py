"""The HTTP session under the Nova client: requests, minus its costs.

The engine sends thousands of requests to the same Nova endpoint during a
host recovery, and with requests' defaults most of its CPU per request
was spent in generic machinery none of them needs:

* requests merges the environment's settings (proxies, ``no_proxy``, CA
  bundle, ``~/.netrc``) into every request, and to find the proxies it
  walks the whole process environment each time. A process's environment
  does not change while it runs, so the merged settings and the netrc
  lookup are kept per endpoint (and per request options); a request that
  names proxies of its own is merged as requests always does.
* preparing a request runs cookie-jar merges, parameter and hook merges
  and URL re-parsing even when there is nothing to merge. A request with
  no cookies, auth, files, parameters or hooks to merge, to a URL already
  in normal form, is prepared directly (a test checks the result against
  requests' own preparation).
* urllib3 under requests is replaced for plain requests by
  :mod:`masakari.compute.http_transport`.
"""

import re
import threading
import urllib.parse

import requests
from requests import cookies
from requests import hooks
from requests import structures
from requests import utils

from masakari.compute import http_transport

# An absolute http(s) URL with no userinfo and only characters that
# requests' re-quoting would leave as they are.
_NORMAL_URL = re.compile(r"https?://[A-Za-z0-9.\-:\[\]]+"
                         r"(/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*)?")


class EnvironmentOnceSession(requests.Session):
    """A requests session that reads the environment once per endpoint
    and prepares plain requests without generic merges."""

    def __init__(self, pool_maxsize=http_transport.DEFAULT_POOLSIZE):
        super().__init__()
        self._merged = {}
        self._netrc = {}
        self._lock = threading.Lock()
        adapter = http_transport.StdlibHTTPAdapter(pool_maxsize=pool_maxsize)
        self.mount('http://', adapter)
        self.mount('https://', adapter)
        self.headers['Accept-Encoding'] = http_transport.ACCEPT_ENCODING

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies or not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream,
                                                      verify, cert)
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert)
        with self._lock:
            merged = self._merged.get(key)
        if merged is None:
            merged = super().merge_environment_settings(url, proxies, stream,
                                                        verify, cert)
            with self._lock:
                self._merged[key] = merged
        return {name: dict(value) if isinstance(value, dict) else value
                for name, value in merged.items()}

    def prepare_request(self, request):
        prepared = self._prepare_plain(request)
        if prepared is None:
            return super().prepare_request(request)
        return prepared

    def _prepare_plain(self, request):
        """The prepared request, or None when requests must merge."""
        url = request.url
        body = request.data or None
        if (request.cookies or request.auth or request.files
                or request.json is not None or request.params
                or self.cookies or self.auth or self.params
                or not isinstance(url, str) or not _NORMAL_URL.fullmatch(url)
                or not isinstance(body, (str, bytes, type(None)))
                or any(request.hooks.values())
                or any(self.hooks.values())
                or self._netrc_auth(url)):
            return None
        headers = structures.CaseInsensitiveDict(self.headers)
        for name, value in (request.headers or {}).items():
            if value is None:
                headers.pop(name, None)
            elif not isinstance(value, str) or not isinstance(name, str):
                return None
            else:
                utils.check_header_validity((name, value))
                headers[name] = value
        prepared = requests.PreparedRequest()
        prepared.method = request.method.upper()
        prepared.url = url
        prepared.headers = headers
        prepared.body = body
        prepared.hooks = hooks.default_hooks()
        prepared._cookies = cookies.RequestsCookieJar()
        if body is not None:
            length = len(body.encode('utf-8') if isinstance(body, str)
                         else body)
            headers['Content-Length'] = str(length)
        elif prepared.method not in ('GET', 'HEAD'):
            headers.setdefault('Content-Length', '0')
        return prepared

    def _netrc_auth(self, url):
        """What ``~/.netrc`` says for the URL's host, read once per host."""
        if not self.trust_env:
            return None
        netloc = urllib.parse.urlsplit(url).netloc
        with self._lock:
            if netloc in self._netrc:
                return self._netrc[netloc]
        found = utils.get_netrc_auth(url)
        with self._lock:
            self._netrc[netloc] = found
        return found
