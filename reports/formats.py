"""report.json, junit.xml and cucumber.json, each drawn from the report document."""

from __future__ import annotations

import base64
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

STATUS_KO = {"passed": "통과", "failed": "실패", "undefined": "정의 없음", "skipped": "실행 안 함"}
EMBED_LIMIT = 5 * 1024 * 1024  # bytes of one file embedded in cucumber.json


def dump_json(value: Any, path: Path) -> None:
    """UTF-8 JSON, indented, with a final newline. orjson: the standard library's encoder falls back
    to pure Python whenever ``indent`` is given, which made the big report files the slowest part."""
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


def write_json(report: Mapping[str, Any], path: Path) -> None:
    dump_json(report, path)


# --- JUnit XML ---------------------------------------------------------------------------------


def _testcase_name(scenario: Mapping[str, Any]) -> str:
    examples = scenario.get("examples")
    if examples and examples.get("params"):
        return f"{scenario['name']} [{' | '.join(examples['params'].values())}]"
    return scenario["name"]


def _steps_text(scenario: Mapping[str, Any]) -> str:
    lines = []
    for step in scenario["steps"]:
        lines.append(f"{STATUS_KO.get(step['status'], step['status']):>6}  {step['keyword']} {step['text']}"
                     f"  ({step['duration']:.3f}초)")
        if step.get("message"):
            lines.extend("          " + line for line in step["message"].splitlines())
        for attachment in step.get("attachments", []):
            if attachment.get("path"):
                lines.append(f"[[ATTACHMENT|{attachment['path']}]]")
    for attachment in scenario.get("attachments", []):
        if attachment.get("path"):
            lines.append(f"[[ATTACHMENT|{attachment['path']}]]")
    return "\n".join(lines)


def junit(report: Mapping[str, Any]) -> ET.ElementTree:
    provenance = report["provenance"]
    scenarios = report["scenarios"]
    root = ET.Element("testsuites", {
        "name": "ti24 " + report["title"],
        "tests": str(len(scenarios)),
        "failures": str(sum(1 for s in scenarios if s["status"] == "failed")),
        "errors": "0",
        "skipped": str(sum(1 for s in scenarios if s["status"] == "skipped")),
        "time": f"{sum(s['duration'] for s in scenarios):.3f}",
        "timestamp": provenance["run"]["started_at"],
    })
    by_feature: dict[str, list[Mapping[str, Any]]] = {}
    for scenario in scenarios:
        by_feature.setdefault(scenario["feature"].get("uri") or "", []).append(scenario)
    for uri, group in by_feature.items():
        suite = ET.SubElement(root, "testsuite", {
            "name": group[0]["feature"].get("name") or uri,
            "file": uri,
            "tests": str(len(group)),
            "failures": str(sum(1 for s in group if s["status"] == "failed")),
            "errors": "0",
            "skipped": str(sum(1 for s in group if s["status"] == "skipped")),
            "time": f"{sum(s['duration'] for s in group):.3f}",
            "timestamp": provenance["run"]["started_at"],
            "hostname": provenance["host"]["hostname"],
        })
        props = ET.SubElement(suite, "properties")
        for name, value in (("spec_sha256", provenance["spec"]["sha256"]), ("tool_version", provenance["tool"]["version"]),
                            ("target", provenance["target"]["url"]), ("driver", provenance["target"]["driver"]),
                            ("run_id", report["run_id"])):
            ET.SubElement(props, "property", {"name": name, "value": str(value)})
        for scenario in group:
            case = ET.SubElement(suite, "testcase", {
                "classname": uri.removesuffix(".feature").replace("/", "."),
                "name": _testcase_name(scenario),
                "time": f"{scenario['duration']:.3f}",
                "file": uri,
                "line": str(scenario.get("line") or ""),
            })
            case_props = ET.SubElement(case, "properties")
            for requirement in scenario["requirements"]:
                ET.SubElement(case_props, "property", {"name": "requirement", "value": requirement})
            ET.SubElement(case_props, "property", {"name": "nodeid", "value": scenario["id"]})
            for attachment in [a for s in scenario["steps"] for a in s.get("attachments", [])] + scenario.get(
                    "attachments", []):
                if attachment.get("path"):
                    ET.SubElement(case_props, "property", {"name": f"attachment:{attachment['kind']}",
                                                           "value": attachment["path"]})
            if scenario["status"] == "failed":
                failing = next((s for s in scenario["steps"] if s["status"] in ("failed", "undefined")), None)
                message = (failing or {}).get("message") or (scenario.get("error") or "실패").splitlines()[-1]
                failure = ET.SubElement(case, "failure", {
                    "message": message.splitlines()[0][:500] if message else "실패",
                    "type": message.split(":", 1)[0] if message and ":" in message else "Failure",
                })
                text = ""
                if failing:
                    text += f"실패한 단계: {failing['keyword']} {failing['text']} (줄 {failing['line']})\n\n"
                failure.text = text + (scenario.get("error") or message or "")
            elif scenario["status"] == "skipped":
                ET.SubElement(case, "skipped", {"message": scenario.get("skip_reason") or "실행하지 않았습니다"})
            ET.SubElement(case, "system-out").text = _steps_text(scenario)
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: Mapping[str, Any], path: Path) -> None:
    junit(report).write(path, encoding="utf-8", xml_declaration=True)


# --- Cucumber JSON -----------------------------------------------------------------------------


def _tags(names: list[str], line: int | None) -> list[dict[str, Any]]:
    return [{"name": "@" + n.removeprefix("@"), "line": max((line or 1) - 1, 1)} for n in names]


def _embeddings(attachments: list[Mapping[str, Any]], out: Path) -> list[dict[str, Any]]:
    embedded = []
    for attachment in attachments:
        data: bytes | None = None
        path = attachment.get("path")
        if path and (out / path).is_file() and (out / path).stat().st_size <= EMBED_LIMIT:
            data = (out / path).read_bytes()
        elif attachment.get("content") is not None:
            data = str(attachment["content"]).encode("utf-8")
        elif attachment.get("data") is not None:
            data = json.dumps(attachment["data"], ensure_ascii=False, indent=1).encode("utf-8")
        if data is None:
            continue
        media = attachment.get("media_type") or "application/octet-stream"
        if attachment.get("data") is not None and not path and attachment.get("content") is None:
            media = "application/json"
        embedded.append({"mime_type": media, "data": base64.b64encode(data).decode("ascii"),
                         "name": attachment.get("name") or attachment.get("kind")})
    return embedded


def cucumber(report: Mapping[str, Any], out: Path) -> list[dict[str, Any]]:
    features: dict[str, dict[str, Any]] = {}
    for scenario in report["scenarios"]:
        feature = scenario["feature"]
        uri = feature.get("uri") or ""
        entry = features.setdefault(uri, {
            "uri": uri,
            "id": uri.lower().replace(" ", "-"),
            "keyword": feature.get("keyword") or "기능",
            "name": feature.get("name") or uri,
            "line": feature.get("line") or 1,
            "description": feature.get("description") or "",
            "language": feature.get("language") or "ko",
            "tags": _tags(feature.get("tags", []), feature.get("line")),
            "elements": [],
        })
        steps = []
        for step in scenario["steps"]:
            result: dict[str, Any] = {"status": step["status"], "duration": math.floor(step["duration"] * 1e9)}
            if step.get("message"):
                result["error_message"] = step["message"]
            item: dict[str, Any] = {
                "keyword": step["keyword"] + " ",
                "name": step["text"],
                "line": step["line"],
                "match": {"location": step.get("location") or ""},
                "result": result,
            }
            if step.get("datatable"):
                item["rows"] = [{"cells": list(row)} for row in step["datatable"]]
            if step.get("docstring") is not None:
                item["doc_string"] = {"value": step["docstring"], "content_type": "", "line": step["line"] + 1}
            embeddings = _embeddings(step.get("attachments", []), out)
            if embeddings:
                item["embeddings"] = embeddings
            steps.append(item)
        element: dict[str, Any] = {
            "id": f"{entry['id']};{scenario['id'].rsplit('::', 1)[-1]}",
            "keyword": scenario["keyword"],
            "name": scenario["name"],
            "line": scenario.get("line") or 1,
            "description": scenario.get("description") or "",
            "type": "scenario",
            "tags": _tags(scenario.get("tags", []), scenario.get("line")),
            "steps": steps,
        }
        loose = _embeddings(scenario.get("attachments", []), out)
        if loose:
            # Cucumber JSON has no scenario-level attachments; an "after" hook carries them.
            element["after"] = [{"match": {"location": "ti24"}, "result": {"status": "passed", "duration": 0},
                                 "embeddings": loose}]
        entry["elements"].append(element)
    return list(features.values())


def write_cucumber(report: Mapping[str, Any], out: Path, path: Path) -> None:
    dump_json(cucumber(report, out), path)
