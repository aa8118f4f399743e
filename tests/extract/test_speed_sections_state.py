"""conditions_context.Sections._state reads a line's kind, any-of group, exclusion flag and route in one
pass over the frame stack: the same as the separate searches it replaces (innermost frame with a kind,
innermost non-empty group, any frame excluding, innermost route)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract.conditions_context import Kind, Sections, _Frame
from reminder.extract.conditions_data import vocab

_FRAMES = st.builds(
    _Frame,
    level=st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0]),
    kind=st.sampled_from([None, *Kind]),
    group=st.sampled_from([None, "", "anyof-1", "anyof-2"]),
    intro=st.booleans(),
    excluding=st.booleans(),
    route=st.sampled_from([None, "", "route-1/1", "route-1/2"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAMES, max_size=5))
def test_state_is_the_separate_searches(frames: list[_Frame]) -> None:
    sections = Sections(vocab())
    sections._stack = frames
    kind = next((f.kind for f in reversed(frames) if f.kind is not None), Kind.NEUTRAL)
    group = next((f.group for f in reversed(frames) if f.group), None)
    excluding = any(f.excluding for f in frames)
    route = next((f.route for f in reversed(frames) if f.route), None)
    assert sections._state() == (kind, group, excluding, route)
