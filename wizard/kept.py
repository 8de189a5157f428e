"""PDFs accepted on a form that was refused for another reason are stored and remembered in the
browser's session, so the person fixes the rest without choosing the files again (a browser
never sends a file twice): the documents of an answer to ANSM (they stay attached unless the
person unticks them), a professional's letter, on the invitation page or uploaded by the
manufacturer, and a document of the evidence step (`keep_file`). Each form has its slot. A
file `flask uploads prune` removed meanwhile (nothing named it for two days) is forgotten: the
form asks for it again."""

from __future__ import annotations

import hashlib

from flask import g, session

from wizard import uploads
from wizard.uploads import StoredFile

_KEY = "review_kept_files"  # its first use; the name is kept for sessions open now


def keep(slot: str, accepted: list[tuple[str, bytes]]) -> None:
    """Store the accepted files and add them to what `slot` (one form) remembers."""
    remembered = session.get(_KEY, {})
    files = remembered.get(slot, [])
    for name, content in accepted:
        stored = uploads.store(name, content)
        g.kept_a_file = True  # counted, on the manufacturer's forms (`auth.limits`)
        # Chosen on this try: ticked when the form comes back (`review/_parts.html`).
        g.kept_now = {*getattr(g, "kept_now", ()), stored.sha256}
        if all(item["sha256"] != stored.sha256 for item in files):
            files.append(
                {"filename": stored.filename, "sha256": stored.sha256, "size": stored.size}
            )
    session[_KEY] = {**remembered, slot: files}


def kept(slot: str) -> list[StoredFile]:
    """The files `slot` remembers that are still stored as they were (their size: read at
    every page, a file is not hashed again here; `uploads.file_problem` does, on use)."""
    remembered = session.get(_KEY, {}).get(slot, [])
    return [StoredFile(**item) for item in remembered if _still_there(item)]


def _still_there(item: dict) -> bool:
    path = uploads.path_of(item["sha256"])
    return path.is_file() and path.stat().st_size == item["size"]


def keep_file(slot: str, form) -> None:
    """The one file of `form` (its `file`, checked: a letter, a document), if it was
    accepted: kept in place of any kept before, and set as the form's `kept_file`."""
    if not form.file.content:
        return
    stored = uploads.store(form.file.filename, form.file.content)
    g.kept_a_file = True
    item = {"filename": stored.filename, "sha256": stored.sha256, "size": stored.size}
    session[_KEY] = {**session.get(_KEY, {}), slot: [item]}
    form.kept_file = stored


def kept_file(slot: str) -> StoredFile | None:
    return next(iter(kept(slot)), None)


def file_of(form) -> StoredFile:
    """The file a form that passed its checks carries: the file just chosen (stored now),
    else the one kept from a refused try."""
    if form.file.content:
        return uploads.store(form.file.filename, form.file.content)
    return form.kept_file


def chosen(slot: str, ticked: list[str]) -> list[StoredFile]:
    """The remembered files the person left ticked (the form posts their sha256)."""
    return [item for item in kept(slot) if item.sha256 in ticked]


def with_new(slot: str, ticked: list[str], accepted: list[tuple[str, bytes]]) -> list[StoredFile]:
    """What an answer carries: the remembered files left ticked, then the ones just sent,
    each once (the same file kept earlier and chosen again is one document)."""
    files = {item.sha256: item for item in chosen(slot, ticked)}
    for name, content in accepted:
        stored = uploads.store(name, content)
        files.setdefault(stored.sha256, stored)
    return list(files.values())


def renamed_copies(
    slot: str, ticked: list[str], accepted: list[tuple[str, bytes]]
) -> list[tuple[str, str]]:
    """The files of an answer that repeat another of its files under another name (same
    content): (the name, the name of the file it repeats). The same file under the same name
    (a kept file chosen again) is simply one document."""
    names = {item.sha256: item.filename for item in chosen(slot, ticked)}
    copies = []
    for name, content in accepted:
        first = names.setdefault(hashlib.sha256(content).hexdigest(), name)
        if first != name:
            copies.append((name, first))
    return copies


def forget(slot: str) -> None:
    remembered = dict(session.get(_KEY, {}))
    if remembered.pop(slot, None) is not None:
        session[_KEY] = remembered
