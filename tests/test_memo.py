"""core/memo.py: the one bound every memo of the planner, the render and the feed keeps."""

from followup.core.memo import bounded


def test_a_memo_is_emptied_when_it_holds_its_size_and_keeps_the_new_entry() -> None:
    memo: dict[int, str] = {}
    for key in range(3):
        bounded(memo, 3)[key] = str(key)
    assert memo == {0: "0", 1: "1", 2: "2"}
    bounded(memo, 3)[3] = "3"
    assert memo == {3: "3"}
    assert bounded(memo, 3) is memo
