# Sphinx configuration of the masakari documentation.
import os
import sys

# Our own extensions (doc/source/_ext): the API reference is rendered from
# openapi.yaml at build time, without network access.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '_ext'))

project = 'masakari'
copyright = 'masakari developers'
extensions = [
    'masakari_openapi',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
]
source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build', '_ext']
html_theme = 'alabaster'

# The document the api-ref pages render (relative to this directory); the
# tests read it from the same place (masakari/tests/functional/
# test_openapi.py).
openapi_document = 'openapi.yaml'
