from assess.diffing import Chunk, row_diff, word_diff


def test_word_diff_marks_replaced_words():
    chunks = word_diff("Age of consent is 14 years.", "Age of consent is 16 years.")
    assert Chunk("delete", "14") in chunks
    assert Chunk("insert", "16") in chunks
    assert "".join(c.text for c in chunks if c.op != "insert") == "Age of consent is 14 years."
    assert "".join(c.text for c in chunks if c.op != "delete") == "Age of consent is 16 years."


def test_word_diff_of_equal_texts_has_no_change():
    assert all(c.op == "equal" for c in word_diff("same text", "same text"))
    assert word_diff("", "") == []


def test_row_diff_reports_added_removed_changed():
    old = [("Criminal Code", "Art. 1"), ("Constitution", "")]
    new = [("Criminal Code", "Art. 2"), ("Family Code", "")]
    ops = {(c.op, (c.new or c.old)[0]) for c in row_diff(old, new)}
    assert ops == {
        ("changed", "Criminal Code"),
        ("added", "Family Code"),
        ("removed", "Constitution"),
    }
