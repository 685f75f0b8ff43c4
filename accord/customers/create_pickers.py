"""Choosing existing records on the new-record pages: a contact's company, a company's parent, a deal's
company and people.

A picker is a group of radio buttons (one record) or checkboxes (several) holding record ids, with a
search box beside it. Typing searches through the global search (``accord.core.search.search``, scoped
to what the user may see) and, with htmx, lists the matches as more choices; without JavaScript the
"Find" button (or Enter) sends the form back with the matches listed, creating nothing. The chosen
records are named through the domain selectors, so a record the user may not see is never named; the
service checks every id again when the form is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.urls import reverse

from accord.core.actors import Actor
from accord.core.forms import MAX_ID, MAX_LIST_ITEMS
from accord.core.search import SearchHit, search
from accord.customers.selectors import visible_company_names, visible_contact_names

# Matches listed under a search box: enough to recognise the record, few enough to read with the keyboard.
RESULTS_LIMIT = 8
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class Picker:
    """One way of choosing existing records; ``name`` is the input's name, the service's where possible."""

    name: str
    kind: str  # the search index kind and the permission type: "company" or "contact"
    label: str  # the group's legend
    find_label: str  # the search box's label
    multiple: bool
    none_label: str = ""  # the "none" choice of a single picker
    help_text: str = ""

    @property
    def query_name(self) -> str:
        return f"{self.name}_query"

    @property
    def input_type(self) -> str:
        return "checkbox" if self.multiple else "radio"

    @property
    def url(self) -> str:
        return reverse("customers_create:choose", args=[self.name])

    @property
    def empty_choice_message(self) -> str:
        if self.multiple:
            return "Tick the ones to add among the matches below, or clear the search box."
        return f"Choose one of the matches below, or clear the search box to go on without a {self.kind}."


PICKERS = {
    picker.name: picker
    for picker in (
        Picker(
            "company_id",
            "company",
            "Company",
            "Find a company",
            multiple=False,
            none_label="No company",
        ),
        Picker(
            "parent_id",
            "company",
            "Parent company",
            "Find the parent company",
            multiple=False,
            none_label="No parent company",
        ),
        Picker(
            "contact_ids",
            "contact",
            "People",
            "Find a person",
            multiple=True,
            help_text="The contacts taking part in the deal.",
        ),
    )
}

NAMES: Mapping[str, Callable[..., dict[int, str]]] = {
    "company": visible_company_names,
    "contact": visible_contact_names,
}


class IdListField(forms.Field):
    """Several record ids (checkboxes of the same name): each a whole number an id can be, each once."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        items = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids: list[int] = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
                raise forms.ValidationError("Choose records from the list.")
            if int(text) not in ids:
                ids.append(int(text))
        if len(ids) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"At most {MAX_LIST_ITEMS}.")
        return ids


class SearchText(forms.CharField):
    """What was typed in a search box: never an error (the box only lists matches), so NUL characters are
    dropped and the text is cut to its bound rather than refused."""

    def to_python(self, value: Any) -> str:
        text = str(value if value is not None else "").replace("\x00", "").strip()
        return text[:MAX_QUERY_LENGTH]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": str(MAX_QUERY_LENGTH)}


def add_picker(form: forms.Form, picker: Picker) -> None:
    """The picker's inputs: the chosen id(s) and the search box."""
    if picker.multiple:
        form.fields[picker.name] = IdListField(required=False, label=picker.label)
    else:
        form.fields[picker.name] = forms.IntegerField(
            required=False, min_value=1, max_value=MAX_ID, label=picker.label, widget=forms.HiddenInput
        )
    results = f"picker-{picker.name}-results"
    search_box = forms.SearchInput(
        attrs={
            "autocomplete": "off",
            "data-picker-search": "",
            "aria-controls": results,
            "hx-get": picker.url,
            "hx-trigger": "input changed delay:200ms, search",
            "hx-target": f"#{results}",
            "hx-include": f"#picker-{picker.name}",
            "hx-sync": "this:replace",
        }
    )
    form.fields[picker.query_name] = SearchText(required=False, label=picker.find_label, widget=search_box)


def check_picker_searches(form: forms.Form, pickers: list[Picker]) -> None:
    """A search typed but nothing chosen: the person was looking for a record, so the form goes back with
    the matches rather than creating one without it (this is also what Enter in the box does without
    JavaScript). Call from ``clean``."""
    for picker in pickers:
        query = form.cleaned_data.get(picker.query_name)
        if query and not form.cleaned_data.get(picker.name) and picker.name not in form.errors:
            form.add_error(picker.name, picker.empty_choice_message)


@dataclass(frozen=True)
class Choice:
    id: int
    title: str
    subtitle: str = ""


@dataclass(frozen=True)
class PickerState:
    """A picker as the page shows it: what is chosen, and the matches of what was typed."""

    picker: Picker
    field: BoundField
    query_field: BoundField
    chosen: list[Choice]
    results: list[Choice]
    query: str

    @property
    def searched(self) -> bool:
        return bool(self.query)

    @property
    def results_id(self) -> str:
        return f"picker-{self.picker.name}-results"

    @property
    def error_id(self) -> str:
        return f"{self.field.auto_id}_error"


def raw_ids(value: Any) -> list[int]:
    """The ids a picker's input holds as typed, leaving out anything that cannot be an id."""
    items = value if isinstance(value, list | tuple) else [value]
    ids: list[int] = []
    for item in items:
        text = str(item if item is not None else "").strip()
        if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID and int(text) not in ids:
            ids.append(int(text))
    return ids[:MAX_LIST_ITEMS]


def matches(actor: Actor, picker: Picker, query: str, *, leave_out: list[int]) -> list[Choice]:
    """The records of the picker's kind matching ``query`` that the actor may see, best first."""
    query = SearchText().to_python(query)
    if not query:
        return []
    hits: list[SearchHit] = search(
        query, actor=actor, kinds=[picker.kind], limit=RESULTS_LIMIT + len(leave_out)
    )
    return [Choice(hit.object_id, hit.title, hit.subtitle) for hit in hits if hit.object_id not in leave_out][
        :RESULTS_LIMIT
    ]


def picker_state(actor: Actor, form: forms.Form, picker: Picker) -> PickerState:
    """The picker's chosen records (named only when the actor may see them) and its matches: one query
    for the names, and the search's few bounded queries when something was typed."""
    ids = raw_ids(form[picker.name].value())
    names = NAMES[picker.kind](actor=actor, ids=ids) if ids else {}
    chosen = [Choice(pk, names[pk]) for pk in ids if pk in names]
    query = SearchText().to_python(form[picker.query_name].value())
    return PickerState(
        picker=picker,
        field=form[picker.name],
        query_field=form[picker.query_name],
        chosen=chosen,
        results=matches(actor, picker, query, leave_out=[choice.id for choice in chosen]),
        query=query,
    )
