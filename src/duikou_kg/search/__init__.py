"""Label search over actors, programs, events and concepts (zh/en labels, pinyin, traditional/simplified)."""

from .index import LabelIndex, SearchHit, build_index, normalise

__all__ = ["LabelIndex", "SearchHit", "build_index", "normalise"]
