# Sphinx configuration of the masakari documentation.
project = 'masakari'
copyright = 'masakari developers'
extensions = []
source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
