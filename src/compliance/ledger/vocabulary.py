"""Ledger vocabulary: the one definition of statuses, allowed manual transitions and field labels.

An item's status follows 新增 → 整改中 → 已整改待验收 → 已销号 (plus 豁免); 逾期 is derived from the deadline.
"""

from __future__ import annotations

from compliance.findings import STATES

NEW, WORKING, DONE, CLOSED, WAIVED = "新增", "整改中", "已整改待验收", "已销号", "豁免"
STATUSES = [NEW, WORKING, DONE, CLOSED, WAIVED]
OVERDUE = "逾期"
NOT_OVERDUE = {CLOSED, WAIVED}
# Manual changes (ledger update / import); 豁免 and reopening come only from a check (sync).
TRANSITIONS: dict[str, set[str]] = {
    NEW: {WORKING, DONE},
    WORKING: {DONE},
    DONE: {WORKING, CLOSED},
    CLOSED: set(),
    WAIVED: set(),
}
UNIT_STATUSES = (WORKING, DONE)
CLEAN_RESULTS = {"pass", "not_applicable", "absent"}
RESULT_ZH = {**STATES, "absent": "未再出现"}
"""Chinese labels of a check result as the ledger records it: the finding states, plus ``absent``."""
FIELDS: dict[str, str] = {
    "status": "完成情况",
    "measure": "整改措施",
    "leader": "责任领导",
    "department": "责任部门",
    "person": "责任人",
    "deadline": "整改时限",
    "progress": "整改进展",
    "evidence": "佐证材料",
    "remarks": "备注",
    "closed_on": "销号时间",
    "rebound_count": "反弹次数",
}
EDITABLE = ("measure", "leader", "department", "person", "deadline", "progress", "evidence", "remarks", "status")
