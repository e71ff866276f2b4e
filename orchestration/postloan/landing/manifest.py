"""Batch manifests: reading, checking completeness, and writing (sealing) them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from postloan.landing.contract import ENTITY_BY_NAME, PROVENANCES

MANIFEST_NAME = "manifest.yaml"
CAPITAL_FIELDS = (
    "net_capital",
    "net_tier1_capital",
    "net_capital_prev_quarter",
    "net_tier1_capital_prev_quarter",
)
SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class FileEntry:
    entity: str
    path: Path
    bytes: int
    rows: int | None = None
    sums: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    folder: Path
    kind: str
    portfolio_id: str
    portfolio_name: str
    as_of: dt.date
    currency: str
    provenance: str
    delivered_at: str
    capital: dict[str, Decimal | None]
    capital_provenance: str
    absent: dict[str, str]
    files: dict[str, FileEntry]
    raw: dict[str, Any]
    # snapshot: the whole book as of the date. delta: only rows added or changed since the batch
    # in force for the same portfolio on base_as_of; every row of that batch whose key the delta
    # does not deliver is carried into this one (docs/landing-contract.md, "Deltas").
    delivery: str = "snapshot"
    base_as_of: dt.date | None = None

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST_NAME

    def batch_id(self, base_batch_id: str | None = None) -> str:
        """Content-addressed id: the same delivery always gets the same id. A delta's id also
        covers the id of the base it is applied to, since the rows it stands for depend on it."""
        digest = hashlib.sha256(self.manifest_path.read_bytes())
        if base_batch_id:
            digest.update(base_batch_id.encode())
        for entity in sorted(self.files):
            digest.update(file_digest(self.files[entity].path).encode())
        return f"{self.portfolio_id}@{self.as_of.isoformat()}#{digest.hexdigest()[:12]}"


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ManifestError(f"{where}: {value!r} is not a decimal number") from exc


def _date(value: Any, where: str) -> dt.date:
    """A manifest date: a YAML date, or its ISO text."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ManifestError(f"{where} {value!r} is not a YYYY-MM-DD date") from exc


def read_manifest(folder: Path) -> Manifest:
    """Parse and check a batch's manifest; raise ManifestError naming the file and field."""
    path = folder / MANIFEST_NAME
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError) as exc:
        raise ManifestError(f"{where}: cannot read manifest: {exc}") from exc
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: the manifest must be a mapping of fields")

    def need(key: str) -> Any:
        if data.get(key) in (None, ""):
            raise ManifestError(f"{where}: required field '{key}' is missing")
        return data[key]

    portfolio_id = str(need("portfolio_id")).strip()
    kind = str(data.get("kind") or "portfolio").strip().lower()
    if kind not in ("portfolio", "reference"):
        raise ManifestError(f"{where}: kind {kind!r} must be 'portfolio' or 'reference'")
    as_of = _date(need("as_of"), f"{where}: as_of")
    currency = str(data.get("currency") or "").strip().upper()
    if kind == "portfolio" and not currency:
        raise ManifestError(f"{where}: required field 'currency' is missing")
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise ManifestError(f"{where}: currency {currency!r} is not an ISO 4217 code")
    provenance = str(need("provenance")).strip().lower()
    if provenance not in PROVENANCES:
        raise ManifestError(f"{where}: provenance {provenance!r} is not one of {PROVENANCES}")

    capital_block = data.get("capital") or {}
    if not isinstance(capital_block, dict):
        raise ManifestError(f"{where}: 'capital' must be a mapping")
    capital: dict[str, Decimal | None] = {}
    for name in CAPITAL_FIELDS:
        value = capital_block.get(name)
        capital[name] = None if value in (None, "") else _decimal(value, f"{where}: capital.{name}")
    capital_provenance = str(capital_block.get("provenance", provenance)).strip().lower()
    if capital_provenance not in PROVENANCES:
        raise ManifestError(f"{where}: capital.provenance {capital_provenance!r} is not one of "
                            f"{PROVENANCES}")

    delivery = str(data.get("delivery") or "snapshot").strip().lower()
    if delivery not in ("snapshot", "delta"):
        raise ManifestError(f"{where}: delivery {delivery!r} must be 'snapshot' or 'delta'")
    base_as_of = None
    if delivery == "delta":
        if kind != "portfolio":
            raise ManifestError(f"{where}: only a portfolio batch can be a delta")
        base_as_of = _date(need("base_as_of"), f"{where}: base_as_of")
        if base_as_of >= as_of:
            raise ManifestError(f"{where}: base_as_of {base_as_of} must be before as_of {as_of}")
        if data.get("absent"):
            raise ManifestError(f"{where}: a delta declares nothing absent: an entity it does "
                                "not list under 'files' is carried unchanged from its base")
    elif data.get("base_as_of") not in (None, ""):
        raise ManifestError(f"{where}: base_as_of is only for 'delivery: delta'")
    absent = {str(k): str(v) for k, v in (data.get("absent") or {}).items()}
    files_block = data.get("files") or {}
    if not isinstance(files_block, dict):
        raise ManifestError(f"{where}: 'files' must be a mapping of entity to file")
    files: dict[str, FileEntry] = {}
    for entity, spec in files_block.items():
        if entity not in ENTITY_BY_NAME:
            raise ManifestError(f"{where}: files.{entity}: unknown entity; expected one of "
                                f"{sorted(ENTITY_BY_NAME)}")
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, dict) or not spec.get("path"):
            raise ManifestError(f"{where}: files.{entity}: needs a 'path'")
        file_path = (folder / str(spec["path"])).resolve()
        if folder.resolve() not in file_path.parents:
            raise ManifestError(f"{where}: files.{entity}.path must stay inside the batch folder")
        if file_path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ManifestError(f"{where}: files.{entity}: {file_path.name} is not one of "
                                f"{SUPPORTED_SUFFIXES}")
        if spec.get("bytes") in (None, ""):
            raise ManifestError(f"{where}: files.{entity}.bytes is required (run `postloan seal`)")
        rows = spec.get("rows")
        sums = {str(k): _decimal(v, f"{where}: files.{entity}.sums.{k}")
                for k, v in (spec.get("sums") or {}).items()}
        files[entity] = FileEntry(entity, file_path, int(spec["bytes"]),
                                  None if rows in (None, "") else int(rows), sums)
    for entity, spec_entity in ENTITY_BY_NAME.items():
        if delivery == "delta":
            break  # what a delta leaves out is unchanged, not absent
        if kind == "reference" and not spec_entity.reference_data:
            if entity in files:
                raise ManifestError(f"{where}: a reference batch cannot deliver {entity}")
            absent.setdefault(entity, "reference batch: industry data only")
        if spec_entity.optional and entity not in files:
            absent.setdefault(entity, "optional entity, none delivered")
        if entity in files and entity in absent:
            raise ManifestError(f"{where}: {entity} is both delivered and declared absent")
        if entity not in files and entity not in absent:
            raise ManifestError(
                f"{where}: entity '{entity}' is neither listed under 'files' nor declared under "
                f"'absent' with a reason")
    return Manifest(
        folder=folder, kind=kind, portfolio_id=portfolio_id,
        portfolio_name=str(data.get("portfolio_name") or portfolio_id), as_of=as_of,
        currency=currency, provenance=provenance,
        delivered_at=str(data.get("delivered_at") or ""), capital=capital,
        capital_provenance=capital_provenance, absent=absent, files=files, raw=data,
        delivery=delivery, base_as_of=base_as_of,
    )


def completeness_problems(manifest: Manifest) -> list[str]:
    """Why a batch is not complete yet (empty list = complete), per the landing contract."""
    problems = []
    for entry in manifest.files.values():
        if not entry.path.exists():
            problems.append(f"{entry.path}: listed for {entry.entity} but not present")
        elif entry.path.stat().st_size != entry.bytes:
            problems.append(f"{entry.path}: {entry.path.stat().st_size} bytes, manifest says "
                            f"{entry.bytes}")
    return problems


def find_batches(landing: Path) -> list[Path]:
    """Every folder under ``landing`` (at any depth) that holds a manifest."""
    return sorted(p.parent for p in landing.rglob(MANIFEST_NAME))


def seal(folder: Path) -> dict[str, Any]:
    """Fill in each listed file's byte size in the manifest (what a sender does last)."""
    path = folder / MANIFEST_NAME
    data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    for entity, spec in (data.get("files") or {}).items():
        if isinstance(spec, str):
            spec = {"path": spec}
            data["files"][entity] = spec
        spec["bytes"] = (folder / spec["path"]).stat().st_size
    write_manifest(folder, data)
    return data


def write_manifest(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / MANIFEST_NAME
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)
    return path
