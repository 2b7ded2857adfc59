"""Each package's `__all__` is exactly what it exports, so the public surface cannot drift."""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = ["honing.accounts", "honing.audit", "honing.datasets", "honing.domain",
            "honing.ingest", "honing.storage", "honing.api", "honing.demo",
            "honing.rubrics", "honing.annotate", "honing.stats", "honing.charts",
            "honing.quality", "honing.quality.agreement", "honing.evaluate",
            "honing.evaluate.scorers", "honing.evaluate.targets", "honing.judges", "honing.release",
            "honing.datasets.pii", "honing.datasets.dedup", "honing.datasets.contamination", "honing.export",
            "honing.figure_cache", "honing.ingest.otlp", "honing.feedback"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_public_names(name):
    module = importlib.import_module(name)
    public = {n for n, v in vars(module).items()
              if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"}
    assert set(module.__all__) == public
