"""The backup check's comparison of a source and its restored copy. No database."""

from __future__ import annotations

from backup_restore_check import differences


def _side(rows=None, sequences=None, **audit):
    return {
        "rows": rows if rows is not None else {"cases_case": 300, "audit_auditentry": 5000},
        "sequences": sequences if sequences is not None else {"cases_case_id_seq": 300},
        "audit": {"entries": 5000, "broken_at": None, "newest_hash": "ab" * 32, **audit},
    }


def test_identical_copies_have_no_differences():
    assert differences(_side(), _side()) == []


def test_a_table_with_other_counts_or_missing_is_named():
    restored = _side(rows={"cases_case": 299})
    assert differences(_side(), restored) == [
        "rows audit_auditentry: source 5000, restored None",
        "rows cases_case: source 300, restored 299",
    ]


def test_a_sequence_behind_is_a_difference():
    assert differences(_side(), _side(sequences={"cases_case_id_seq": 1})) == [
        "sequences cases_case_id_seq: source 300, restored 1"
    ]


def test_a_broken_or_shorter_audit_chain_is_a_difference():
    found = differences(_side(), _side(broken_at=17, newest_hash="cd" * 32))
    assert "audit chain of the restored copy breaks at entry 17" in found
    assert any(line.startswith("audit newest_hash:") for line in found)
