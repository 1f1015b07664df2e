"""The contract: its typed terms, the reading of `contract.yaml` that names the key at fault, and the
months each partner is measured on.
"""

from .calendar import month_grid
from .reading import (
    ContractLoader,
    key_path,
    parse_contract,
    read_contract,
    validation_message,
    yaml_document,
)
from .terms import (
    Bonus,
    ChannelTerms,
    ChronicFailure,
    Contract,
    Credit,
    GainShare,
    IntervalTarget,
    KeyedError,
    Partner,
    Pricing,
    ResourceBaseline,
    Reversibility,
    ServiceLevel,
    ServiceLevelFormula,
    ShareBand,
    Source,
    VolumeCorridor,
)

__all__ = [
    "Bonus",
    "ChannelTerms",
    "ChronicFailure",
    "Contract",
    "ContractLoader",
    "Credit",
    "GainShare",
    "IntervalTarget",
    "KeyedError",
    "Partner",
    "Pricing",
    "ResourceBaseline",
    "Reversibility",
    "ServiceLevel",
    "ServiceLevelFormula",
    "ShareBand",
    "Source",
    "VolumeCorridor",
    "key_path",
    "month_grid",
    "parse_contract",
    "read_contract",
    "validation_message",
    "yaml_document",
]
