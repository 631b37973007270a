"""Curation: reviewed, reversible, loss-free submissions of triples (see docs/curation.md).

``Curation(settings)`` creates submissions (a dry run: validation report and diff), accepts them (one
folder under ``data/curation/`` renamed into place, then a new build) and reverts them.
"""

from .auth import authenticate
from .service import Curation, CurationError, Submission

__all__ = ["Curation", "CurationError", "Submission", "authenticate"]
