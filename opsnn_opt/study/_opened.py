"""The record of an opened study, shared by the workers and the readers.

It lives apart from :mod:`opsnn_opt.study._study` (which creates and opens studies, and writes
their description with :mod:`opsnn_opt.study.read`), so that the readers can take it without
importing the module that imports them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opsnn_opt.store import Store
    from opsnn_opt.study.spec import ObjectiveSpec, SearchSpace

__all__ = ["ATTR_UID", "OpenStudy"]

#: A random id per study, in its artifact folder's name: two stores' studies of one name never share files.
ATTR_UID = "opsnn.uid"


@dataclass
class OpenStudy:
    """An Optuna study with the specs it was created with."""

    study: Any
    space: SearchSpace
    objective: ObjectiveSpec
    sampler: dict[str, Any]
    store: Store

    @property
    def name(self) -> str:
        return self.study.study_name

    @property
    def uid(self) -> str:
        """The study's id, read once: a worker can still name a trial's folder (and keep its outcome
        there) while the database is down."""
        uid = self.__dict__.get("_uid")
        if uid is None:
            uid = self.study.user_attrs.get(ATTR_UID)
            if uid is None:  # a study created before ids: give it one now
                uid = uuid.uuid4().hex[:12]
                self.study.set_user_attr(ATTR_UID, uid)
            self.__dict__["_uid"] = uid
        return uid

    @property
    def artifact_dir(self) -> Path:
        """This study's folder of per-trial files: ``<artifacts>/<name>-<uid>``."""
        return self.store.artifacts / f"{self.name}-{self.uid}"
