"""Sphinx configuration for the meterprice documentation."""

from __future__ import annotations

from typing import Any

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
# and >>> examples in docstrings pulled in by autodoc. A page's examples run in
# order in one namespace with nothing preloaded: each page imports what it uses in
# its own first example, so that its code runs when pasted in order.
#
# Docstring examples are written for their module's namespace (a docstring may
# write ``Money.parse(...)`` bare, and ``dt`` is the datetime module, as in the
# library's own modules): they run in a group of their own, with those names.
DOCSTRING_SETUP = """
import datetime as dt
from decimal import Decimal

from fractions import Fraction

import attrs

import meterprice
from meterprice import *
from meterprice.analysis import *
from meterprice.breakeven import *
from meterprice.columnar import *
from meterprice.piecewise import *
"""


def _docstring_examples_in_their_own_group(app: Any, doctree: Any) -> None:
    """Move the docstrings' >>> blocks to the ``docstrings`` group, with its setup."""
    if app.builder.name != "doctest":
        return
    from docutils import nodes

    blocks = [
        node
        for node in doctree.findall(nodes.doctest_block)
        if "docstring of" in (node.source or "")
    ]
    if not blocks:
        return
    for node in blocks:
        node["groups"] = ["docstrings"]
    setup = nodes.literal_block(DOCSTRING_SETUP, DOCSTRING_SETUP)
    setup["testnodetype"] = "testsetup"
    setup["groups"] = ["docstrings"]
    setup["options"] = {}
    setup.source, setup.line = blocks[0].source, blocks[0].line
    doctree.append(setup)


def setup(app: Any) -> None:
    """Register the grouping of the docstrings' examples."""
    app.connect("doctree-read", _docstring_examples_in_their_own_group)


# -- HTML ---------------------------------------------------------------------
html_theme = "furo"
html_title = f"meterprice {release}"
