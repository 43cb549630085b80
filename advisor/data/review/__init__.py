"""The review queue: page through a training, test or drafts file, decide, save.

See :mod:`.queue` (paging and decisions), :mod:`.log` (the undoable review log),
:mod:`.writer` (the save) and :mod:`.findings` (what is shown per line).
"""

from advisor.data.review.models import (
    DraftInfo,
    ReviewEntry,
    ReviewFinding,
    ReviewPage,
    ReviewRow,
    SaveResult,
)
from advisor.data.review.queue import PAGE_SIZE, ReviewQueue
from advisor.data.review.writer import save

__all__ = [
    "PAGE_SIZE",
    "DraftInfo",
    "ReviewEntry",
    "ReviewFinding",
    "ReviewPage",
    "ReviewQueue",
    "ReviewRow",
    "SaveResult",
    "save",
]
