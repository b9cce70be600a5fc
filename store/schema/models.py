"""SQLAlchemy 2 typed models of the store (the schema itself is built by Alembic migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Item(Base):
    """One catalogued item; a deleted one stays as an OAI-PMH tombstone."""

    __tablename__ = "item"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128), unique=True)
    access: Mapped[str] = mapped_column(String(16), default="open")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(DateTime)
    datestamp: Mapped[datetime] = mapped_column(DateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_format: Mapped[str | None] = mapped_column(String(16))
    source_record: Mapped[str | None] = mapped_column(Text)
    rights_uri: Mapped[str | None] = mapped_column(String(512))  # canonical (store.rights)
    rights_inherited: Mapped[bool] = mapped_column(Boolean, default=False)  # from a set default
    viewing_direction: Mapped[str] = mapped_column(String(16), default="left-to-right")
    behavior: Mapped[str | None] = mapped_column(String(32))
    subtitle: Mapped[str | None] = mapped_column(Text)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    # Kept by the write path so that list pages read one row per item: the item's Dublin Core
    # serialised (store.dublin_core) and its own set specs, sorted, space-separated.
    dc_xml: Mapped[str | None] = mapped_column(Text)
    set_specs: Mapped[str | None] = mapped_column(Text)
    # The mandatory EDM rules the item fails (store.europeana), "" when none.
    edm_lacks: Mapped[str | None] = mapped_column(String(255))
    # Where a harvested record came from (store.records.Origin as JSON), None for the rest.
    origin: Mapped[str | None] = mapped_column(Text)

    values: Mapped[list[MetadataValue]] = relationship(
        order_by="MetadataValue.position", cascade="all, delete-orphan", passive_deletes=True)
    pages: Mapped[list[Page]] = relationship(
        order_by="Page.seq", cascade="all, delete-orphan", passive_deletes=True)
    sets: Mapped[list[OAISet]] = relationship(secondary="item_set", order_by="OAISet.spec")

    __table_args__ = (Index("ix_item_datestamp_id", "datestamp", "item_id"),)


class MetadataValue(Base):
    """One Dublin Core value of an item, in catalogue order."""

    __tablename__ = "metadata_value"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_pk: Mapped[int] = mapped_column(ForeignKey("item.pk", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    element: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))


class OAISet(Base):
    """An OAI-PMH set; ':' in the spec makes the hierarchy."""

    __tablename__ = "oai_set"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    rights_uri: Mapped[str | None] = mapped_column(String(512))  # default of its items


class ItemSet(Base):
    """Membership of an item in a set (parents are implied by the spec, not stored)."""

    __tablename__ = "item_set"
    item_pk: Mapped[int] = mapped_column(ForeignKey("item.pk", ondelete="CASCADE"),
                                         primary_key=True)
    set_pk: Mapped[int] = mapped_column(ForeignKey("oai_set.pk", ondelete="CASCADE"),
                                        primary_key=True, index=True)


class Page(Base):
    """One scanned page of an item; the scan itself lives content-addressed in the data dir."""

    __tablename__ = "page"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_pk: Mapped[int] = mapped_column(ForeignKey("item.pk", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(Text)
    image_file: Mapped[str] = mapped_column(String(255))  # relative to the data dir
    checksum: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    # one `x,y,w,h` per whitespace-separated word of `text`, in image pixels (when known)
    boxes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("item_pk", "seq", name="uq_page_item_seq"),)


class ItemSearch(Base):
    """Folded search words of an item (see store.folding); the full-text index is built on it."""

    __tablename__ = "item_search"
    item_pk: Mapped[int] = mapped_column(ForeignKey("item.pk", ondelete="CASCADE"),
                                         primary_key=True)
    title_words: Mapped[str] = mapped_column(Text, default="")
    creator_words: Mapped[str] = mapped_column(Text, default="")
    subject_words: Mapped[str] = mapped_column(Text, default="")
    # description, publisher, place (coverage) and date: ranked below title and creator
    other_words: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer)  # the first year of its dates


class Activity(Base):
    """One change of an item's manifest, for IIIF Change Discovery: an append-only stream.

    Rows are added when their transaction commits (store.write.activity), so the key order is
    the order in which changes became visible.
    """

    __tablename__ = "activity"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))  # Create, Update, Delete
    end_time: Mapped[datetime] = mapped_column(DateTime, index=True)


class HarvestState(Base):
    """Where the last harvest of a source (URL, prefix, set) got to."""

    __tablename__ = "harvest_state"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_url: Mapped[str] = mapped_column(String(1024))
    metadata_prefix: Mapped[str] = mapped_column(String(64))
    set_spec: Mapped[str] = mapped_column(String(255), default="")
    last_response_date: Mapped[str | None] = mapped_column(String(32))
    resumption_token: Mapped[str | None] = mapped_column(Text)
    started_response_date: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("source_url", "metadata_prefix", "set_spec",
                                       name="uq_harvest_source"),)


class Reader(Base):
    """A reader account, valid until a date (its last day, kept at midnight).

    `session_version` is in every session opened for the reader; disabling the account,
    changing or resetting its password raise it, which ends those sessions everywhere at once.
    """

    __tablename__ = "reader"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    expires: Mapped[datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    group_name: Mapped[str | None] = mapped_column(String(64), index=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)


class SignInFailure(Base):
    """A failed sign-in (wrong or unknown login or password): the rate limit counts these."""

    __tablename__ = "sign_in_failure"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_sign_in_failure_login_at", "login", "at"),
                      Index("ix_sign_in_failure_client_at", "client", "at"),
                      Index("ix_sign_in_failure_at", "at"))
