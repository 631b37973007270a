"""``python -m duikou_kg.hermit``: compile the HermiT server ahead (``scripts/setup.sh``); never fails the set-up."""

import sys

from .build import JavaUnavailable, compiled_server

try:
    print(f"hermit server compiled in {compiled_server()}")
except JavaUnavailable as exc:
    print(f"hermit server not compiled ({exc}); validation will start HermiT through owlready2", file=sys.stderr)
