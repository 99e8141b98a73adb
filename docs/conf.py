"""Sphinx configuration for the meterprice documentation."""

from __future__ import annotations

import meterprice

project = "meterprice"
author = "the meterprice authors"
copyright = "the meterprice authors"
release = meterprice.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    # draws the cost-function plots of the guide (the docs extra pulls in matplotlib)
    "matplotlib.sphinxext.plot_directive",
    # a copy button on every code block, which copies the code without its prompts
    "sphinx_copybutton",
]

plot_html_show_formats = False
plot_html_show_source_link = False
plot_formats = [("png", 100)]

# The site is built without network access: no intersphinx, nothing fetched.
exclude_patterns = ["_build"]
root_doc = "index"

# -- copy button --------------------------------------------------------------
# Copies what a reader types: the code after ">>> ", "... " and "$ ", not the output.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# -- MyST ---------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]

# -- autodoc / napoleon -------------------------------------------------------
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# -- doctest ------------------------------------------------------------------
# Runs ```{doctest} fences in the Markdown pages, >>> blocks inside {eval-rst},
# and >>> examples in docstrings pulled in by autodoc. A page's examples, its
# docstrings' included, run in order in one namespace with nothing preloaded: each
# page imports what it uses in a visible example (the docstrings' names just before
# the reference they are in), so that its code runs when pasted in order.

# -- HTML ---------------------------------------------------------------------
html_theme = "furo"
html_title = f"meterprice {release}"
