"""Which budget category a statement row belongs to, and which rows repay a debt (data).

Everything here is data plus a few small look-up functions. The category ids are those
of the budget norms file ``xieshang/engine/presets/_budget.toml`` (a test checks they
still are); the debt ids are
preset ids (``huabei``, ``jiebei``, ``credit_card_cn``, ``weilidai``, ``jd_baitiao``,
``meituan_yuefu``).
None of it is a lender's rule: it is a best guess the person sees, and can correct,
before anything is saved.

Order matters: the first keyword rule that matches wins, and keywords are tried before
the app's own category (Alipay's 交易分类), because a row's text is usually more
specific (a 转账 whose note says 房租 is rent).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Final

__all__ = [
    "BORROWING_KEYWORDS",
    "DEBT_KEYWORDS",
    "INCOME_CATEGORIES",
    "INCOME_KEYWORDS",
    "NOT_BUDGETED",
    "OTHER",
    "OTHER_INCOME",
    "SOURCE_CATEGORIES",
    "SPENDING_CATEGORIES",
    "SPENDING_KEYWORDS",
    "categorise_income",
    "categorise_spending",
    "detect_debt_repayment",
    "is_borrowing",
]

OTHER: Final = "other_flexible"
OTHER_INCOME: Final = "other_income"
#: The category of rows that are not a budget line (neutral rows, debt payments).
NOT_BUDGETED: Final = ""

#: Spending category ids of ``_budget.toml`` (priority, fixed, flexible), in its order.
SPENDING_CATEGORIES: Final = (
    "rent", "mortgage", "utilities", "child_support", "secured_loan", "court_ordered",
    "property_fees", "transport", "school", "medical", "insurance", "social_insurance",
    "support_parents", "other_essential", "food", "household_goods", "clothing",
    "communications", "personal", "tobacco_alcohol", "leisure", "gifts", OTHER,
)

#: Income category ids of ``_budget.toml``, in its order.
INCOME_CATEGORIES: Final = (
    "wages", "wages_partner", "business", "pension", "benefits", "child_support_received",
    "family_support", "rental_income", OTHER_INCOME,
)

#: Alipay 交易分类 (and similar app categories) → spending category id.
SOURCE_CATEGORIES: Final[Mapping[str, str]] = {
    "餐饮美食": "food",
    "交通出行": "transport",
    "爱车养车": "transport",
    "日用百货": "household_goods",
    "家居家装": "household_goods",
    "数码电器": "household_goods",
    "生活服务": "household_goods",
    "母婴亲子": "household_goods",
    "服饰装扮": "clothing",
    "美容美发": "personal",
    "充值缴费": "utilities",
    "医疗健康": "medical",
    "教育培训": "school",
    "住房物业": "rent",
    "保险": "insurance",
    "运动户外": "leisure",
    "休闲娱乐": "leisure",
    "文化休闲": "leisure",
    "酒店旅游": "leisure",
    "公益捐赠": "gifts",
    "宠物": OTHER,
    "转账红包": OTHER,
    "亲友代付": OTHER,
    "商业服务": OTHER,
    "信用借还": OTHER,
    "其他": OTHER,
}

#: Keyword rules for spending: (category id, words found in the description or counterparty).
#: Transport comes before food so that 美团单车 is transport and 美团外卖 is food; leisure
#: before tobacco and alcohol so that a 酒店 is a hotel.
SPENDING_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("rent", ("房租", "租金")),
    ("mortgage", ("房贷",)),
    ("secured_loan", ("车贷",)),
    ("child_support", ("抚养费",)),
    ("property_fees", ("物业费", "物业管理", "供暖", "暖气费")),
    ("utilities", ("电费", "水费", "燃气", "煤气", "国家电网", "国网", "电力", "自来水",
                   "水务")),
    ("communications", ("话费", "流量", "宽带", "中国移动", "中国联通", "中国电信")),
    ("social_insurance", ("社保", "医保")),
    ("insurance", ("保险", "保费")),
    ("medical", ("医院", "诊所", "药房", "药店", "医疗", "挂号", "体检", "门诊")),
    ("school", ("学费", "托育", "幼儿园", "培训", "课程", "教育", "报名费")),
    ("support_parents", ("父母", "爸妈", "给爸", "给妈", "赡养")),
    ("transport", ("地铁", "公交", "滴滴", "打车", "出租车", "12306", "铁路", "火车票", "机票",
                   "航空", "加油", "中国石化", "中国石油", "停车", "高速", "单车", "哈啰")),
    ("leisure", ("电影", "影城", "游戏", "视频会员", "音乐会员", "KTV", "旅游", "酒店",
                 "健身", "书店")),
    ("tobacco_alcohol", ("香烟", "烟草", "烟酒", "白酒", "啤酒", "红酒", "洋酒")),
    ("food", ("外卖", "饿了么", "美团", "餐", "饭", "面馆", "拉面", "米线", "面条", "包子",
              "饺子", "火锅", "烧烤", "小吃", "咖啡", "奶茶", "买菜", "菜市场", "生鲜", "水果",
              "肯德基", "麦当劳", "瑞幸", "星巴克", "盒马")),
    ("household_goods", ("超市", "便利店", "日用", "家居", "收纳", "五金", "清洁", "家政")),
    ("clothing", ("服饰", "服装", "衣服", "鞋", "羽绒服")),
    ("personal", ("理发", "美发", "化妆", "护肤", "洗护")),
    ("gifts", ("红包", "礼金", "份子钱", "礼物")),
)

#: Keyword rules for income rows.
INCOME_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("wages", ("工资", "薪资", "薪水", "代发", "奖金", "绩效", "劳务费")),
    ("pension", ("养老金", "退休金")),
    ("benefits", ("低保", "补贴", "补助", "失业金", "失业保险金", "抚恤", "救助", "退税")),
    ("child_support_received", ("抚养费",)),
    ("rental_income", ("房租", "租金")),
    ("business", ("经营", "货款", "营业", "收款码", "二维码收款", "店铺", "生意", "佣金")),
    ("family_support", ("生活费", "父母", "爸爸", "妈妈", "爸妈", "红包")),
)

#: Money borrowed is not income: rows whose text has one of these words are neutral.
BORROWING_KEYWORDS: Final = ("放款", "借款到账", "贷款发放", "借款-")

#: A row is a repayment only if its text has one of these words.
REPAYMENT_WORDS: Final = ("还款", "还钱")

#: Debt preset id → words naming the product (tried in this order).
DEBT_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("huabei", ("花呗",)),
    ("jiebei", ("借呗",)),
    ("weilidai", ("微粒贷",)),
    ("jd_baitiao", ("白条",)),
    ("meituan_yuefu", ("美团月付",)),
    ("credit_card_cn", ("信用卡",)),
)

#: A repayment to a bank that names no other product is taken as a credit-card repayment,
#: unless the text says it is a loan (房贷, 车贷, 贷款: those are not credit cards).
BANK_WORDS: Final = (
    "银行", "招行", "工行", "建行", "农行", "中行", "交行", "浦发", "广发", "中信", "光大",
    "民生", "兴业", "华夏", "邮储",
)
LOAN_WORDS: Final = ("贷",)


def _first_match(text: str, rules: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    for category, words in rules:
        if any(word in text for word in words):
            return category
    return None


@lru_cache(maxsize=4096)
def categorise_spending(text: str, source_category: str = "") -> str:
    """The spending category id for a row's text (description and counterparty).

    A source category that is already one of our ids (a plain CSV may say ``food``)
    is kept; otherwise keywords first, then the app's own category, then ``other``.
    """
    if source_category in SPENDING_CATEGORIES:
        return source_category
    found = _first_match(text, SPENDING_KEYWORDS)
    if found is not None:
        return found
    return SOURCE_CATEGORIES.get(source_category.strip(), OTHER)


@lru_cache(maxsize=4096)
def categorise_income(text: str, source_category: str = "") -> str:
    """The income category id for a row's text; ``other_income`` when nothing matches."""
    if source_category in INCOME_CATEGORIES:
        return source_category
    return _first_match(text, INCOME_KEYWORDS) or OTHER_INCOME


@lru_cache(maxsize=4096)
def detect_debt_repayment(text: str) -> str | None:
    """The preset id of the debt a row repays (``huabei``, ``jiebei``…), or ``None``.

    ``text`` is the row's description, counterparty and app category together. Only rows
    that say 还款 count: a purchase paid *with* Huabei is spending, not a repayment.
    """
    if not any(word in text for word in REPAYMENT_WORDS):
        return None
    found = _first_match(text, DEBT_KEYWORDS)
    if found is not None:
        return found
    if any(word in text for word in BANK_WORDS) and not any(w in text for w in LOAN_WORDS):
        return "credit_card_cn"
    return None


def is_borrowing(text: str) -> bool:
    """Whether an incoming row is money borrowed (a loan paid out), not income."""
    return any(word in text for word in BORROWING_KEYWORDS)
