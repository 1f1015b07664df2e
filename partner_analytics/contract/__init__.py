"""The contract: its typed terms (service hours and holidays among them), the reading of `contract.yaml`
that names the key at fault, and the months each partner is measured on.
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
from .service_hours import Holidays, Opening, ServiceHours
from .terms import (
    Bonus,
    ChannelTerms,
    ChronicFailure,
    Committees,
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
    "Committees",
    "Contract",
    "ContractLoader",
    "Credit",
    "GainShare",
    "Holidays",
    "IntervalTarget",
    "KeyedError",
    "Opening",
    "Partner",
    "Pricing",
    "ResourceBaseline",
    "Reversibility",
    "ServiceHours",
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
