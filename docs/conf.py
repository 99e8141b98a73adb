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
]

plot_html_show_formats = False
plot_html_show_source_link = False
plot_formats = [("png", 100)]

# The site is built without network access: no intersphinx, nothing fetched.
exclude_patterns = ["_build"]
root_doc = "index"

# -- MyST ---------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]

# -- autodoc / napoleon -------------------------------------------------------
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# -- doctest ------------------------------------------------------------------
# Runs ```{doctest} fences in the Markdown pages, >>> blocks inside {eval-rst},
# and >>> examples in docstrings pulled in by autodoc. Every example runs in this
# namespace (not in its module's), so the public names are imported bare too: a
# docstring example may write ``Money.parse(...)`` as well as
# ``meterprice.Money.parse(...)``, and ``dt`` is the datetime module, as in the
# library's own modules.
doctest_global_setup = """
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

# -- HTML ---------------------------------------------------------------------
html_theme = "furo"
html_title = f"meterprice {release}"
