from apps.certificates.codes import generate_code, normalise_code
from apps.certificates.models import CODE_ALPHABET


def test_codes_are_twelve_characters_of_the_unambiguous_alphabet_and_differ():
    codes = {generate_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 12 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("ILOU") & set(CODE_ALPHABET)


def test_typed_codes_are_forgiven_case_spaces_dashes_and_misread_letters():
    assert normalise_code("7kq4-m2zd-xw9p") == "7KQ4M2ZDXW9P"
    assert normalise_code(" 7KQ4 M2ZD XW9P ") == "7KQ4M2ZDXW9P"
    assert normalise_code("AOIL-0000-1111") == "A011" + "0000" + "1111"


def test_what_cannot_be_a_code_is_refused():
    assert normalise_code("") is None
    assert normalise_code("7KQ4-M2ZD") is None  # too short
    assert normalise_code("7KQ4-M2ZD-XW9U") is None  # U is not in the alphabet
    assert normalise_code("<script>alert(1)</script>") is None
