"""The sample's contacts of one partner written as its platform exports them: Amazon Connect contact records.

Sud Horizon's contacts reach the client as Amazon Connect contact records flattened to CSV (nested
fields named with dots, times in ISO 8601 UTC), read with `preset: amazon_connect`
(docs/data-contract.md, "Presets"). The records carry exactly the sample's values: the preset's
waits and handle times, derived from the timestamps, are the contacts' own (whole seconds).
"""

from __future__ import annotations

import polars as pl

from .profiles import TIMEZONE

__all__ = ["CONNECT_ATTRIBUTES", "CONNECT_EXPORT", "CONNECT_PARTNER", "connect_contact_records"]

CONNECT_PARTNER = "sudhorizon"
"""The partner whose contacts the sample writes as Amazon Connect contact records."""
CONNECT_EXPORT = "exports/connect_ctr.csv"
CONNECT_ATTRIBUTES = {"partner_id": "Attributes.partner_id", "site_id": "Attributes.site_id", "csat": "Attributes.csat"}
"""Our columns the contact flow sets as contact attributes (Amazon Connect has no such fields):
mapped under `columns:` in contract.yaml, except partner_id, the preset's own."""

_UTC = "%Y-%m-%dT%H:%M:%SZ"


def connect_contact_records(contacts: pl.DataFrame) -> pl.DataFrame:
    """The contacts (our columns, `arrived_at` naive local time) as flattened Amazon Connect contact records.

    A contact enters the queue on arrival; answered, the agent connects after its wait, the call
    ends after four fifths of its handle time and the after-contact work at its end; abandoned, it
    leaves the queue (and disconnects) after its wait.
    """
    enqueued = pl.col("arrived_at").dt.replace_time_zone(TIMEZONE, ambiguous="earliest").dt.convert_time_zone("UTC")
    wait = pl.duration(seconds=pl.col("wait_s").cast(pl.Int64))
    handle = pl.col("handle_s").cast(pl.Int64)
    connected = pl.when(pl.col("answered")).then(enqueued + wait)
    left_queue = enqueued + wait
    disconnected = (
        pl.when(pl.col("answered")).then(connected + pl.duration(seconds=handle * 4 // 5)).otherwise(left_queue)
    )
    acw_end = connected + pl.duration(seconds=handle)
    voice = pl.col("channel") == "voice"

    def stamp(e: pl.Expr) -> pl.Expr:
        return e.dt.strftime(_UTC)

    return contacts.select(
        pl.col("contact_id").alias("ContactId"),
        pl.col("channel").str.to_uppercase().alias("Channel"),
        pl.when(voice).then(pl.lit("INBOUND")).otherwise(pl.lit("API")).alias("InitiationMethod"),
        stamp(enqueued).alias("InitiationTimestamp"),
        pl.col("queue").alias("Queue.Name"),
        stamp(enqueued).alias("Queue.EnqueueTimestamp"),
        stamp(left_queue).alias("Queue.DequeueTimestamp"),
        stamp(connected).alias("Agent.ConnectedToAgentTimestamp"),
        stamp(acw_end).alias("Agent.AfterContactWorkEndTimestamp"),
        stamp(disconnected).alias("DisconnectTimestamp"),
        pl.col("customer_id").alias("CustomerEndpoint.Address"),
        *[pl.col(ours).alias(theirs) for ours, theirs in CONNECT_ATTRIBUTES.items()],
    )
