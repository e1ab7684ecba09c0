"""Where a project's parts live, which paths it reads from, and which folders a build may write.

A project is a folder: ``content/``, ``seeds/``, ``schemas/``, ``templates/``, ``static/`` and
``locales/``. Paths shown to the user are relative to its root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem


@dataclass(frozen=True)
class Project:
    """Where a site's parts live. Paths shown to the user are relative to ``root``."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    def show(self, path: Path) -> str:
        """``path`` relative to the project root, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def output_problems(self, out: Path) -> list[Problem]:
        """Why ``out`` must not be the output folder: a build replaces the folder, and all in it.

        Refused: the project itself or a folder that holds it, one of its inputs (or a folder inside
        or around one), and a folder that is not empty and does not hold a previous build.
        """
        target = out.resolve()
        root = self.root.resolve()
        hint = "choose a new folder for the site, such as _site"
        if root.is_relative_to(target):
            return [Problem(str(target), 1, 1, "the output folder would replace the project itself", hint)]
        for folder in (self.content, self.seeds, self.schemas, self.templates, self.static, self.locales, self.root / "explainer"):
            inputs = folder.resolve()
            if target.is_relative_to(inputs) or inputs.is_relative_to(target):
                return [Problem(str(target), 1, 1, f"the output folder would replace the project's {self.show(folder)}/", hint)]
        previous = (target / "sitemap.xml").is_file() or (target / "__preview").is_dir()  # a build, or a preview whose first build failed
        if target.is_dir() and any(target.iterdir()) and not previous:
            return [Problem(str(target), 1, 1, "the output folder is not empty and holds no previous build of the site", hint)]
        return []
