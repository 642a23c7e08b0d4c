"""Unsaved model instances built in bulk (``builder(model).build(**values)``): what ``model(**values)`` gives.

``Model.__init__`` walks every field of the model for each instance: it looks each one up in the keyword
arguments, asks it for its default and sets it through the attribute's descriptor; a foreign key given as an
object goes through the relation's descriptor (type check, database routing, cache). A bulk import builds
tens of thousands of instances of the same few models, so that walk was about a quarter of its time. A
``Builder`` does the walk once per model: constant defaults are copied in one ``dict.update``, callable ones
called, the given values stored, and a related object cached as the descriptor would (its type checked the
same way). Whatever it cannot do exactly as ``__init__`` does goes through ``setattr`` as ``__init__`` does:
attributes with a descriptor of their own (django-countries' ``CountryField``, properties), one-to-one
relations, and every relation when database routers are configured. A model with ``pre_init`` or
``post_init`` receivers is built by its constructor.

``take_related_ids`` is the other end: before such instances are written in bulk, the ids of the related objects
saved since their assignment, taken as ``bulk_create`` takes them.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ForwardManyToOneDescriptor,
)
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# The descriptors that only read from and write to the instance's __dict__ (a fresh instance has no cache to
# clear): values of these attributes may be stored directly.
_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


class Builder:
    """Builds unsaved instances of one model (see the module's text)."""

    def __init__(self, model: type[Model]):
        self.model = model
        plain_relations = not router.routers
        self.constant: dict[str, Any] = {}  # attname -> a default that is not callable (the same object each time)
        self.computed: list[tuple[str, str, Any]] = []  # (name, attname, get_default): defaults to call
        self.set_defaults: list[tuple[str, str, Any]] = []  # (name, attname, value): set through a descriptor
        self.direct: set[str] = set()  # names (and attnames) stored as they are
        self.relations: dict[str, Any] = {}  # name -> many-to-one field, cached as its descriptor does
        self.settable = set(model._meta._property_names)  # names set through setattr (their descriptor)
        for field in model._meta.concrete_fields:
            if field.generated:
                continue
            plain = isinstance(getattr(model, field.attname, None), _PLAIN)
            if field.has_default() and callable(field.default):
                self.computed.append((field.name, field.attname, field.get_default))
            elif plain:
                self.constant[field.attname] = field.get_default()
            else:
                self.set_defaults.append((field.name, field.attname, field.get_default()))
            if plain:
                self.direct.add(field.attname)
            else:
                self.settable.add(field.attname)
            if field.is_relation:
                descriptor = getattr(model, field.name, None)
                if plain_relations and type(descriptor) is ForwardManyToOneDescriptor and plain:
                    self.relations[field.name] = field
                else:
                    self.settable.add(field.name)
            elif field.name != field.attname:
                self.settable.add(field.name)

    def build(self, **values) -> Model:
        """``model(**values)``: an unsaved instance with these values and the other fields' defaults."""
        model = self.model
        if pre_init.has_listeners(model) or post_init.has_listeners(model):  # asked each time: they come and go
            return model(**values)
        instance = model.__new__(model)
        instance._state = state = ModelState()
        data = instance.__dict__
        data.update(self.constant)
        for name, attname, default in self.computed:
            if name not in values and attname not in values:
                value = default()
                if attname in self.direct:
                    data[attname] = value
                else:
                    setattr(instance, attname, value)
        for name, attname, value in self.set_defaults:
            if name not in values and attname not in values:
                setattr(instance, attname, value)
        for name, value in values.items():
            if name in self.direct:
                data[name] = value
            elif name in self.relations:
                _relate(instance, state, self.relations[name], value)
            elif name in self.settable:
                setattr(instance, name, value)
            else:
                raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {name!r}")
        return instance


def _relate(instance: Model, state, field, value) -> None:
    """``ForwardManyToOneDescriptor.__set__`` on a fresh instance, with no database router."""
    if value is None:
        for local, _remote in field.related_fields:
            instance.__dict__[local.attname] = None
        state.fields_cache[field.name] = None
        return
    if not isinstance(value, field.remote_field.model._meta.concrete_model):
        raise ValueError(
            f'Cannot assign "{value!r}": "{instance._meta.object_name}.{field.name}" must be a '
            f'"{field.remote_field.model._meta.object_name}" instance.'
        )
    if state.db is None:
        state.db = value._state.db or DEFAULT_DB_ALIAS
    if value._state.db is None:
        value._state.db = state.db
    if value._state.db != state.db:  # what router.allow_relation answers without routers
        raise ValueError(f'Cannot assign "{value!r}": the current database router prevents this relation.')
    for local, remote in field.related_fields:
        instance.__dict__[local.attname] = getattr(value, remote.attname)
    state.fields_cache[field.name] = value


def take_related_ids(instance, related: list) -> None:
    """Before writing built instances: ``Model._prepare_related_fields_for_save`` (what ``bulk_create`` checks)
    for the relations ``related`` only. A related object still unsaved stops the write; one saved after its
    assignment gives its id now; one whose id changed since is forgotten (the id kept). Django's own walks every
    field of the model, comparing each with ``related``: about a tenth of the bulk import's writes."""
    cache = instance._state.fields_cache
    for field in related:
        obj = cache.get(field.name)
        if obj is None:
            continue
        if not obj._is_pk_set():
            raise ValueError(
                f"bulk_create() prohibited to prevent data loss due to unsaved related object '{field.name}'."
            )
        target = getattr(obj, field.target_field.attname)
        current = instance.__dict__.get(field.attname)
        if current in field.empty_values:
            instance.__dict__[field.attname] = target
        elif current != target:
            del cache[field.name]


@functools.cache
def builder(model: type[Model]) -> Builder:
    """The model's ``Builder``, made once per process."""
    return Builder(model)
