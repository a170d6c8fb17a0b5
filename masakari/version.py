"""The package version, from pbr (the git checkout or installed metadata)."""

import pbr.version

version_info = pbr.version.VersionInfo('masakari')
version_string = version_info.version_string
