"""Read baselines/<name>/baseline.yaml and render its template into a BaselineSpec.

Templates may be jinja2, rendered once per baseline in a sandbox with StrictUndefined and a
deterministic context: the baseline's own settings and vend.yaml, never a per-account value
(one stack set has one template; per-account values go into Mappings, see stackset_template).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from vending.model.codes import finding
from vending.model.repo_files import Entry
from vending.model.repo_walk import Reader, entry_at, item_folders
from vending.model.types import OrgSettings, Source
from vending.model.baseline_types import BaselineSpec, FromNetwork, OperationPreferences

BASELINES_DIR = "baselines"
BASELINE_FILE = "baseline.yaml"
DEFAULT_TEMPLATE = "template.yaml"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_JINJA_MARKS = ("{{", "{%", "{#")
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
_TEMPLATE_NAME = "<template>"


def read_all(repo: Reader, settings: OrgSettings | None) -> tuple[dict[str, BaselineSpec], frozenset[str]]:
    """Every readable baseline under baselines/, by name, and the names of all baseline folders
    (each one baseline, whether it reads or not); problems go to `repo.found`."""
    base = repo.folder(BASELINES_DIR)
    found: dict[str, BaselineSpec] = {}
    if base is None:
        return found, frozenset()
    folders, names = item_folders(repo, base, "baselines/ holds one folder per baseline, each with a baseline.yaml")
    for folder in folders:
        spec = _read_one(repo, folder, settings)
        if spec is not None:
            found[spec.name] = spec
    return found, names


def _read_one(repo: Reader, folder: Entry, settings: OrgSettings | None) -> BaselineSpec | None:
    if not _NAME.match(folder.name):
        repo.found.append(finding("V615", folder.rel, 1, "", f"{folder.name!r} is not a baseline name",
                                  "name baseline folders with 1-64 lower-case letters, digits and '-', starting "
                                  "with a letter or digit (it becomes part of the stack set's name)"))
        return None
    file = repo.files.entry(folder, BASELINE_FILE)
    if file is None or file.kind in ("dir", "broken"):
        if file is not None and file.kind == "dir":
            repo.named_like_a_file(file, f"{BASELINE_FILE} is the baseline's settings file: rename the folder")
        elif file is None:
            repo.found.append(finding("V615", f"{folder.rel}/{BASELINE_FILE}", 1, "",
                                      f"baseline folder {folder.rel} has no {BASELINE_FILE}",
                                      "add baseline.yaml (description, template, parameters; see the README), "
                                      "or remove the folder"))
        return None
    data = repo.yaml(file, "baseline")
    if data is None:
        return None
    source = repo.source(file, data)
    template_name = data.get("template", DEFAULT_TEMPLATE)
    template = entry_at(repo.files, folder, template_name)
    template_file = f"{folder.rel}/{template_name}"
    if template is None or template.kind in ("dir", "broken"):
        if template is None or template.kind == "dir":
            repo.found.append(finding("V602", source.file, repo.lines[source.file].at(("template",)), "template",
                                      f"template file {template_file} does not exist",
                                      f"add {template_name} next to baseline.yaml, or name the right file in `template`"))
        return None
    text = repo.files.read(template)
    if text is None:
        return None
    spec = _spec(folder.name, data, source, template.rel, settings)
    rendered = _render(repo, template.rel, text, spec, settings)
    return None if rendered is None else replace(spec, template=rendered, template_source=text)


def _spec(name: str, data: dict[str, Any], source: Source, template_file: str,
          settings: OrgSettings | None) -> BaselineSpec:
    prefs = data.get("operation_preferences", {})
    max_c, tol = prefs.get("max_concurrent", {}), prefs.get("failure_tolerance", {})
    governed = settings.governed_regions if settings else ()
    return BaselineSpec(
        name=name, source=source, template_file=template_file, template="",
        description=data.get("description", ""),
        parameters={k: (FromNetwork(v.get("region")) if isinstance(v, dict) else v)
                    for k, v in data.get("parameters", {}).items()},
        regions=tuple(data.get("regions", governed)),
        capabilities=tuple(data.get("capabilities", ())),
        operation_preferences=OperationPreferences(
            region_concurrency=prefs.get("region_concurrency", "SEQUENTIAL"),
            max_concurrent_count=max_c.get("count"), max_concurrent_percentage=max_c.get("percent"),
            failure_tolerance_count=tol.get("count"), failure_tolerance_percentage=tol.get("percent"),
            concurrency_mode=prefs.get("concurrency_mode", "STRICT_FAILURE_TOLERANCE"),
        ),
        retain_stacks_on_account_removal=data.get("auto_deployment", {}).get("retain_stacks_on_account_removal", False),
        depends_on=tuple(data.get("depends_on", ())),
        retired=data.get("retired", False),
    )


def render_context(spec: BaselineSpec, settings: OrgSettings | None) -> dict[str, Any]:
    """What a template may use: the baseline's own settings and vend.yaml's, nothing per account.

    `baseline`: name, description, regions, capabilities, parameters (literal values only: a
    value from the IP plan differs per account); `org`: home_region, governed_regions,
    account_factory.
    """
    return {
        "baseline": {
            "name": spec.name, "description": spec.description, "regions": list(spec.regions),
            "capabilities": list(spec.capabilities),
            "parameters": {k: v for k, v in spec.parameters.items() if isinstance(v, str)},
        },
        "org": {
            "home_region": settings.home_region if settings else "",
            "governed_regions": list(settings.governed_regions) if settings else [],
            "account_factory": settings.account_factory if settings else "organizations",
        },
    }


def _render(repo: Reader, file: str, text: str, spec: BaselineSpec, settings: OrgSettings | None) -> str | None:
    if not any(mark in text for mark in _JINJA_MARKS):
        return text
    hint = "fix the template; it may use {{ baseline.* }} and {{ org.* }} only (see the README's baselines section)"
    try:
        return _ENV.from_string(text).render(render_context(spec, settings))
    except jinja2.TemplateSyntaxError as exc:
        repo.found.append(finding("V603", file, exc.lineno or 1, "", f"jinja2 syntax error: {exc.message}", hint))
    except (jinja2.UndefinedError, jinja2.TemplateError, TypeError, ValueError) as exc:
        repo.found.append(finding("V603", file, _template_line(exc), "", f"jinja2 error: {exc}", hint))
    return None


def _template_line(exc: BaseException) -> int:
    """The template line jinja2 was rendering when it failed (its frames carry template lines)."""
    line, tb = 1, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def source_line(source_text: str, rendered_text: str, rendered_line: int) -> int | None:
    """The template file's line for a line of the rendered template: the same line when the
    template has no jinja2, else the one source line with the same text; None if unclear."""
    if not any(mark in source_text for mark in _JINJA_MARKS):
        return rendered_line
    rendered = rendered_text.splitlines()
    if not 1 <= rendered_line <= len(rendered):
        return None
    wanted = rendered[rendered_line - 1].rstrip()
    matches = [i + 1 for i, line in enumerate(source_text.splitlines()) if line.rstrip() == wanted]
    return matches[0] if len(matches) == 1 else None
