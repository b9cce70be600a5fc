"""A set's default rights statement, and the items that take it.

An item without a statement of its own takes the default of its deepest set that has one
(store.write.items.inherited_statement). Changing a default restates those items at once: their
rights URI, their kept Dublin Core and EDM reasons, and their datestamp (what they export changed).
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.dublin_core import dc_xml
from store.europeana import edm_lacks
from store.records import DCValue, utc_now, valid_set_spec
from store.rights import canonical
from store.schema.models import Item, ItemSet, MetadataValue, OAISet
from store.write.activity import UPDATE, note
from store.write.bulk import stamp_at_commit
from store.write.items import inherited_statement, set_defaults


def set_rights(session: Session, spec: str, uri: str | None) -> int:
    """Make `uri` the default statement of set `spec` (None removes it); items restated.

    Raises ValueError for an unknown set or a URI that is no statement.
    """
    if not valid_set_spec(spec):
        raise ValueError(f"{spec!r} is not a set spec")
    statement = canonical(uri) if uri else None
    if uri and statement is None:
        raise ValueError(f"{uri!r} is not a rightsstatements.org or Creative Commons URI")
    found = session.scalar(select(OAISet).where(OAISet.spec == spec))
    if found is None:
        raise ValueError(f"there is no set {spec!r}")
    found.rights_uri = statement
    session.flush()
    below = select(OAISet.pk).where(
        (OAISet.spec == spec) | OAISet.spec.startswith(spec + ":", autoescape=True))
    members = select(ItemSet.item_pk).where(ItemSet.set_pk.in_(below))
    rows = session.execute(select(Item.pk, Item.rights_uri, Item.set_specs).where(
        Item.pk.in_(members), Item.deleted.is_(False),
        or_(Item.rights_uri.is_(None), Item.rights_inherited.is_(True)))).all()
    defaults = set_defaults(session, {s for row in rows for s in (row.set_specs or "").split()})
    changed = {}
    for pk, old, specs in rows:
        new = inherited_statement((specs or "").split(), defaults)
        if new != old:
            changed[pk] = new
    now = utc_now()
    for pk, new in changed.items():
        values = [DCValue(v.element, v.value, v.lang) for v in session.execute(
            select(MetadataValue).where(MetadataValue.item_pk == pk)
            .order_by(MetadataValue.position)).scalars()]
        session.execute(update(Item).where(Item.pk == pk).values(
            rights_uri=new, rights_inherited=new is not None, dc_xml=dc_xml(values, new),
            edm_lacks=edm_lacks(values, new), datestamp=now))
    stamp_at_commit(session, now, changed.keys())
    note(session, [(item_id, UPDATE) for item_id in session.scalars(
        select(Item.item_id).where(Item.pk.in_(list(changed)), Item.page_count > 0))])
    return len(changed)
