"""Checklist templates: versioned data files under resources/templates, not code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.errors import UserError
from app.i18n import translate
from app.resources import templates_dir

CATEGORY_ORDER = ("uniform", "certificate", "grooming", "duty")


class ChecklistTemplateError(UserError, LookupError):
    """The event names a checklist template this program does not ship (an event prepared
    by a newer headquarters): the program needs updating."""


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    category: str
    weight: int
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


@dataclass(frozen=True)
class Category:
    code: str
    weight: int
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


@dataclass(frozen=True)
class ChecklistTemplate:
    template_id: str
    version: int
    categories: tuple[Category, ...]
    common_items: tuple[ChecklistItem, ...]
    task_items: dict[str, tuple[ChecklistItem, ...]]

    def items_for(self, task_type: str) -> tuple[ChecklistItem, ...]:
        """Common items then the task's own, grouped in the seeds' category order."""
        items = self.common_items + self.task_items.get(task_type, ())
        return tuple(sorted(items, key=lambda item: CATEGORY_ORDER.index(item.category)))

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)


def _item(data: dict) -> ChecklistItem:
    return ChecklistItem(code=data["code"], category=data["category"],
                         weight=int(data.get("weight", 1)), label_zh=data["label"]["zh_CN"],
                         label_en=data["label"]["en"])


def parse_template(data: dict) -> ChecklistTemplate:
    categories = tuple(Category(code=c["code"], weight=int(c.get("weight", 0)),
                                label_zh=c["label"]["zh_CN"], label_en=c["label"]["en"])
                       for c in data["categories"])
    known = {c.code for c in categories}
    common = tuple(_item(i) for i in data["common_items"])
    tasks = {task: tuple(_item(i) for i in items) for task, items in data["task_items"].items()}
    for item in common + tuple(i for items in tasks.values() for i in items):
        if item.category not in known:
            raise ValueError(f"item {item.code}: unknown category {item.category}")
    return ChecklistTemplate(template_id=data["template_id"], version=int(data["version"]),
                             categories=categories, common_items=common, task_items=tasks)


def template_files(directory: Path | None = None) -> list[Path]:
    """The checklist templates; other versioned data (scoring_v*.json) shares the folder."""
    return sorted(path for path in (directory or templates_dir()).glob("*_v*.json")
                  if not path.name.startswith("scoring_"))


def template_document(template_id: str = "checklist",
                      version: int | None = None) -> dict[str, Any]:
    """The given version, or the newest one, of a shipped template as its JSON document (what
    an event package carries)."""
    candidates = []
    for path in template_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["template_id"] == template_id and version in (None, data["version"]):
            candidates.append(data)
    if not candidates:
        message = (translate("Checklist", "no checklist template {template}") if version is None
                   else translate("Checklist", "no checklist template {template} v{version}"))
        raise ChecklistTemplateError(message.format(template=template_id, version=version))
    return max(candidates, key=lambda data: data["version"])


@cache
def load_template(template_id: str = "checklist", version: int | None = None) -> ChecklistTemplate:
    """The given version, or the newest one, of a template shipped under resources/."""
    return parse_template(template_document(template_id, version))
