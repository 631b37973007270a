"""Where the validation inputs live inside the project (ontology, shapes, checks, data)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

__all__ = ["ProjectPaths"]


@dataclasses.dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @classmethod
    def from_settings(cls, settings: Any) -> "ProjectPaths":
        """Accept ``duikou_kg.config.Settings`` or any object with a ``project_root`` attribute."""
        root = getattr(settings, "project_root", None)
        if root is None:
            raise TypeError("settings must have a project_root attribute")
        return cls(Path(root))

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "duikou.ttl"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"

    @property
    def data_ttl_dir(self) -> Path:
        return self.root / "data" / "ttl"

    def shape_files(self) -> list[Path]:
        return sorted(self.shapes_dir.glob("*.ttl"))

    def check_files(self) -> list[Path]:
        return sorted(self.checks_dir.glob("*-violation.rq"))

    def data_files(self) -> list[Path]:
        return sorted(self.data_ttl_dir.rglob("*.ttl"))
