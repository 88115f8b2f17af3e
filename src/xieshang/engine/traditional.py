"""How Simplified Chinese becomes Traditional: the OpenCC configuration of each variant and
the known slips to correct after it. Data only; the documents (``documents.render``) and the
screens (``i18n.to_traditional``) both read it, so a document and the screen beside it read
the same. Taiwan's conventions (``tw``, ``s2twp``: words as well as characters: 為、核對、
吃飯、裡、簡訊) or Hong Kong's (``hk``, ``s2hk``)."""

from __future__ import annotations

__all__ = ["CONFIGS", "FIXES", "fixed"]

#: The OpenCC configuration of each variant.
CONFIGS = {"tw": "s2twp", "hk": "s2hk"}

#: Known OpenCC slips in our texts (发卡 "issue a card" is not 髮 "hair"; "7天后" is "after 7
#: days", not the goddess 天后; s2twp's 智慧 for 智能, 賬 where Taiwan writes 帳, and 叄 where
#: amounts in capitals are written 參; s2twp's 支援 for 支持, "what a court would support",
#: where Taiwan writes 支持 too — our Simplified texts never write 支援; and three computing
#: words s2twp puts for ordinary ones: 專案 "project" for 项目 "item" (a bill's items),
#: 型別 "data type" for 类型 "kind" (a lender's kind), 引數 "argument" for 参数 "parameter"
#: (a debt's terms)).
FIXES = {"tw": (("髮卡", "發卡"), ("天后", "天後"), ("賬", "帳"), ("智慧語音", "智慧型語音"),
                ("叄", "參"), ("支援", "支持"),
                ("專案", "項目"), ("型別", "類型"), ("引數", "參數")),
         "hk": (("髮卡", "發卡"), ("天后", "天後"), ("叄", "參"))}


def fixed(text: str, variant: str) -> str:
    """OpenCC's output ``text`` with the known slips of ``variant`` corrected."""
    for wrong, right in FIXES[variant]:
        text = text.replace(wrong, right)
    return text
