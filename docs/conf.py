# Sphinx configuration of the documentation site (Sphinx + myst-nb + furo; Quarto does not install here).
# Used by `python tools/build_docs.py`, which copies this file next to the preprocessed, already executed notebooks
# (so myst-nb only renders them) and packs the widget JavaScript from docs/node_modules into _static.
import configparser, datetime
from pathlib import Path

_cfg = configparser.ConfigParser(delimiters=['='])
_cfg.read(Path(__file__).resolve().parent / 'settings.ini', encoding='utf-8')  # copied here by build_docs.py
_s = _cfg['DEFAULT']

project = _s.get('lib_name', 'warmdarts_nb')
author = _s.get('author', '')
copyright = _s.get('copyright', f'{datetime.date.today().year}, {author}')
release = version = _s.get('version', '')

extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['_build', '_static', '**.ipynb_checkpoints']
source_suffix = {'.ipynb': 'myst-nb'}

# The notebooks were executed by build_docs.py (nbclient, widget state stored); myst-nb only renders them.
nb_execution_mode = 'off'
nb_merge_streams = True
nb_output_stderr = 'show'
nb_render_markdown_format = 'myst'   # markdown outputs (text/markdown) are parsed as MyST, like cells
# ipywidgets: the state stored in the notebook metadata is rendered by the HTML manager's embed script, served
# from _static (packed from npm by build_docs.py), never from a CDN. Keys are paths relative to _static.
nb_ipywidgets_js = {'require.js': {}, 'widgets-config.js': {}, 'embed-amd.js': {}}
# Math ($...$ in the notebooks) with MathJax 3 from _static too (packed from npm), not Sphinx's default CDN.
mathjax_path = 'mathjax/tex-mml-chtml.js'

# nbdev's show_doc emits markdown with `{...}` attributes on its [source] links; headings inside it are fine.
myst_enable_extensions = ['attrs_inline', 'colon_fence', 'dollarmath', 'deflist', 'html_image']
myst_heading_anchors = 3
suppress_warnings = ['myst.header', 'myst.xref_missing', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']

html_theme = 'furo'
html_title = project
html_static_path = ['_static']
html_css_files = ['site.css']
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {'navigation_with_keys': True,
                      'source_repository': _s.get('git_url', '') + '/', 'source_branch': _s.get('branch', 'main'),
                      'source_directory': 'nbs/'}
html_context = {'github_user': _s.get('user', ''), 'github_repo': _s.get('repo', '')}
