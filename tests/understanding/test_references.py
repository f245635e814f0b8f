"""The conversation's state and the one resolver of references."""
from bot.understanding.frame import Reference
from bot.understanding.references import ConversationState, Referent, resolve

LISTED = ConversationState(listed=("genai", "d4d", "loto"))


def test_ordinals_point_into_the_last_list():
    assert resolve(Reference("the second one", ordinal=2), LISTED) == Referent(programs=("d4d",))
    assert resolve(Reference("the last one", ordinal=-1), LISTED) == Referent(programs=("loto",))
    assert resolve(Reference("the ninth", ordinal=9), LISTED) == Referent()


def test_plural_points_at_the_whole_list_or_the_kinds_discussed():
    assert resolve(Reference("which of them", plural=True), LISTED).programs == ("genai", "d4d", "loto")
    kinds = ConversationState(kinds=("micro-credential", "certificate"))
    assert resolve(Reference("which of them", plural=True), kinds) == Referent(kinds=kinds.kinds)


def test_the_other_of_two():
    compared = ConversationState(program="genai", listed=("genai", "d4d"))
    assert resolve(Reference("the other one", other=True), compared) == Referent(programs=("d4d",))


def test_it_is_the_program_in_focus_the_subject_we_lack_or_the_only_one_listed():
    assert resolve(None, ConversationState(program="genai", listed=("genai", "d4d"))).programs == ("genai",)
    assert resolve(None, ConversationState(subject="nursing")) == Referent(subject="nursing")
    assert resolve(Reference("it"), ConversationState(listed=("loto",))).programs == ("loto",)
    assert not resolve(Reference("it"), ConversationState())


def test_each_answer_leaves_the_conversation_about_something():
    state = LISTED.about_programs(["loto"], "cost")
    assert (state.program, state.listed, state.fact) == ("loto", LISTED.listed, "cost")  # "and the first?" still works
    state = state.about_kinds(["certificate"], "duration")
    assert (state.program, state.listed, state.kinds) == (None, (), ("certificate",))
    state = state.not_offered("nursing", ["genai"])
    assert (state.subject, state.listed, state.kinds) == ("nursing", ("genai",), ())
    assert state.listing(["d4d", "loto"]).subject is None


def test_the_state_comes_from_slots():
    slots = {"program": "genai", "listed_programs": ["genai", "d4d"], "kinds_in_focus": None, "last_fact": "cost",
             "subject_in_focus": None}
    state = ConversationState.from_slots(slots.get)
    assert state == ConversationState(program="genai", listed=("genai", "d4d"), fact="cost")
    assert ConversationState.from_slots({}.get).empty


def test_one_program_after_another_with_no_list_in_view_makes_the_two_of_them_them():
    state = ConversationState().about_programs(["ba"], "cost").about_programs(["durable"], "cost")
    assert state.listed == ("ba", "durable") and state.program == "durable"
    assert resolve(Reference("them", plural=True), state).programs == ("ba", "durable")
    assert resolve(Reference("the other one", other=True), state).programs == ("ba",)
    shown = ConversationState(listed=("a", "b", "c")).about_programs(["b"], "cost")
    assert shown.listed == ("a", "b", "c")  # a list in view stays the list pointed into
