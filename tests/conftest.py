"""Shared test configuration: hypothesis settings profiles.

``default`` (25 examples a property) keeps the whole suite, with coverage, within
four minutes on two cores, which is what the README's test command promises; every
run draws new examples, so runs add up. ``ci`` runs 400 a property, for a deep
fuzzing run. Pick one with the ``HYPOTHESIS_PROFILE`` environment variable
(``HYPOTHESIS_PROFILE=ci python3 -m pytest``). Both print a reproduction blob for
every failure, so a failure seen in CI can be replayed locally with
``@reproduce_failure``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "default",
    max_examples=25,
    # Whole contracts with events are drawn example by example; a deadline would only
    # turn a busy machine into a flaky failure. Slow properties say deadline=None too.
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=_SLOW_DATA,
)
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
    max_examples=400,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
