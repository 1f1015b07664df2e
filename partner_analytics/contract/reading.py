"""Reading `contract.yaml` (and files of the same form, such as what-if scenarios): safe YAML, and
errors that name the file and the key path at fault."""

from __future__ import annotations

import re
import types
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ..core.errors import ContractError, EngagementError, did_you_mean, shown
from .terms import SOURCE_FORMS, Contract, KeyedError

__all__ = ["ContractLoader", "key_path", "parse_contract", "read_contract", "validation_message", "yaml_document"]


class ContractLoader(yaml.SafeLoader):
    """YAML's safe loader (no Python objects), refusing a key given twice in a mapping (YAML would keep
    the last one silently) and an impossible date, each with its line."""


def _mapping(loader: ContractLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice in the same mapping (expected once)", key_node.start_mark
            )
        seen[key] = True
    return loader.construct_mapping(node)


def _timestamp(loader: ContractLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as e:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a date ({e}; expected YYYY-MM-DD)", node.start_mark
        ) from None


ContractLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
ContractLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read_contract(path: Path) -> Contract:
    """Read and validate a `contract.yaml`; any problem is a ContractError naming the file and key."""
    if not path.is_file():
        raise ContractError("no contract.yaml: this folder is not an engagement", file=path)
    return parse_contract(yaml_document(path), file=path)


def yaml_document(path: Path, error: type[EngagementError] = ContractError) -> Any:
    """The parsed YAML of a file of the contract's form (a contract, a scenario): safe YAML, no key twice,
    at most `_MAX_DEPTH` levels; any problem is an `error` naming the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise error(f"not UTF-8 text (byte {e.start}): save it as UTF-8", file=path) from None
    try:
        _check_depth(text, path, error)
        return yaml.load(text, Loader=ContractLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise error(f"not valid YAML: {problem}", file=path, key=where) from None


_MAX_DEPTH = 32


def _check_depth(text: str, path: Path, error: type[EngagementError]) -> None:
    """Refuse YAML nested deeper than `_MAX_DEPTH` (a contract has a handful of levels) before building it:
    building thousands of levels exhausts Python's recursion. The parser's events are read without
    recursion, so the line of the first level too deep can be named."""
    depth = 0
    for event in yaml.parse(text, Loader=ContractLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > _MAX_DEPTH:
                mark = event.start_mark
                raise error(
                    f"nested more than {_MAX_DEPTH} levels deep (a contract has a few levels: check the brackets "
                    "and the indentation)",
                    file=path,
                    key=f"line {mark.line + 1}, column {mark.column + 1}",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def parse_contract(raw: Any, *, file: Path | str = "contract.yaml") -> Contract:
    """Validate an already parsed contract mapping."""
    if not isinstance(raw, dict):
        raise ContractError("expected a mapping with client, currency, timezone, channels and partners", file=file)
    try:
        return Contract.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        err = err | {"loc": _without_source_form(tuple(err["loc"]))}
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, KeyedError):
            loc, message = ctx_error.loc, ctx_error.message
        else:
            loc, message = tuple(err["loc"]), validation_message(err, Contract)
        raise ContractError(message, file=file, key=key_path(loc, raw)) from None


def _without_source_form(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The location without the form pydantic names under `sources.<table>` (one file, or a list)."""
    if len(loc) > 2 and loc[0] == "sources" and loc[2] in SOURCE_FORMS:
        return loc[:2] + loc[3:]
    return loc


def validation_message(err: dict[str, Any], model: type[BaseModel] | None = None) -> str:
    """A pydantic error as one message: an unknown key with the key meant (`model`: the root model the
    location starts from), a share given as a percentage with its fraction."""
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        known = _keys_at(model, tuple(err["loc"])[:-1]) if model is not None else ()
        return f"unknown key ({did_you_mean(str(err['loc'][-1]), known)})"
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    got = err.get("input")
    if kind not in {"value_error"} and not isinstance(got, (dict, list)):
        msg = f"{msg}, got {shown(got, 60) if isinstance(got, str) else repr(got)}"
    if kind == "less_than_equal" and (err.get("ctx") or {}).get("le") in (1, Decimal(1)):
        msg += _as_fraction(got)
    return msg


def _as_fraction(got: Any) -> str:
    """`; a share is a fraction: 15 % is 0.15` for a value above 1 that reads as a percentage."""
    try:
        value = Decimal(str(got))
    except (InvalidOperation, ValueError):
        return ""
    if not 1 < value <= 100:
        return ""
    return f"; a share is a fraction: {value.normalize():f} % is {(value / 100).normalize():f}"


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys the model found at `loc` (a pydantic location below `model`) accepts."""
    node: Any = model
    for item in loc:
        node = _inner(node, item)
        if node is None:
            return ()
    node = _unwrapped(node)
    if not (isinstance(node, type) and issubclass(node, BaseModel)):
        return ()
    return tuple(f.alias or name for name, f in node.model_fields.items())


def _inner(node: Any, item: Any) -> Any:
    """The type at `item` within the type `node` (a model's field, a list's or a mapping's values)."""
    node = _unwrapped(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        fields = {f.alias or name: f for name, f in node.model_fields.items()} | node.model_fields
        return fields[item].annotation if item in fields else None
    origin, args = get_origin(node), get_args(node)
    if origin in (tuple, list) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _unwrapped(node: Any) -> Any:
    """`X` out of `Annotated[X, …]` and `X | None`."""
    while True:
        origin = get_origin(node)
        if origin is Annotated:
            node = get_args(node)[0]
        elif origin in (Union, types.UnionType):
            node = next((a for a in get_args(node) if a is not type(None)), None)
        else:
            return node


def key_path(loc: tuple[Any, ...], raw: Any) -> str:
    """`partners[1] (northcall).service_levels[0].minimum` from a pydantic location."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f" ({node['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"
