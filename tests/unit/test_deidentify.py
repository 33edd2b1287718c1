"""De-identification of request texts before they are published (Open311) or analysed."""

import pytest
from chalicelib.domain.deidentify import mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "我家楼下饭馆油烟太大，已经反映多次，请联系我13812345678，谢谢",
            "我家楼下饭馆油烟太大，已经反映多次，请联系我138****5678，谢谢",
        ),
        (
            "物业电话打不通：010-64012345，座机（010）84021234也没人接",
            "物业电话打不通：010-****2345，座机（010）****1234也没人接",
        ),
        (
            "本人身份证号110105198805123419，社保卡挂失一直办不下来",
            "本人身份证号110105************，社保卡挂失一直办不下来",
        ),
        (
            "身份证11010819790412002X丢了，补办要多久",
            "身份证110108************丢了，补办要多久",
        ),
        (
            "小区消防通道被京N8K2V7长期占用，还有一辆京AD12345的新能源车",
            "小区消防通道被京N*****长期占用，还有一辆京A******的新能源车",
        ),
        (
            "一辆冀F·12345的渣土车夜里在胡同里倒垃圾，我的手机１３９１２３４５６７８",
            "一辆冀F·*****的渣土车夜里在胡同里倒垃圾，我的手机１３９****５６７８",
        ),
        (
            "联系人王女士，电话：+86 139 1234 5678，或者物业座机 6401 2345",
            "联系人*女士，电话：+86 139 **** 5678，或者物业座机 **** 2345",
        ),
        (
            "电话是64012345，一直占线",
            "电话是****2345，一直占线",
        ),
    ],
)
def test_phones_id_numbers_plates_and_names_are_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "京津冀协同发展，北京12345热线，东城区安定门街道方家胡同",
        "5月3号开始停水，地铁1号线安定门站也停运了，3室1厅的房子都没水",
        "2026年11月26日上午9点30分，金额12800元，订单号20261126123456789012",
        "快递单号SF1234567890123没有更新，京东物流说在路上",
        "京ABCDEF不是车牌，京A1234也不是",
        "供暖温度只有16度，小区有1200户，邮编100007",
    ],
)
def test_numbers_that_identify_nobody_stay(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫王小明，住在方家胡同12号3单元401", "我叫***，住在方家胡同**号*单元***"),
        (
            "东城区安定门街道方家胡同12号院3号楼2单元502楼上漏水",
            "东城区安定门街道方家胡同**号院*号楼*单元***楼上漏水",
        ),
        ("我姓刘，家住和平里5号楼1201室，暖气不热", "我姓*，家住和平里*号楼****室，暖气不热"),
        ("我是李建国，住在12-3-401，楼上天天装修", "我是***，住在**-*-***，楼上天天装修"),
        ("本人张伟今年68岁，住在18楼，电梯坏了上不去", "本人**今年68岁，住在**楼，电梯坏了上不去"),
        ("物业的王师傅说找社区，社区的赵阿姨又说找物业", "物业的*师傅说找社区，社区的*阿姨又说找物业"),
        ("我的名字是欧阳娜娜。3栋502的空调外机噪音很大", "我的名字是****。*栋***的空调外机噪音很大"),
        ("姓名：陈静，地址：幸福小区7号楼", "姓名：**，地址：幸福小区*号楼"),
    ],
)
def test_names_and_house_and_room_numbers_are_masked(text, masked):
    assert mask_text(text) == masked
    assert mask_text(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "我是业主，也是这个小区的老住户",
        "我是安定门街道的居民，我们楼道灯坏了",
        "老百姓办事难，历史老师也这么说",
        "我是东城区的，请问居住证怎么办",
        "我和师傅一起去物业反映过，向师傅说明了情况",
    ],
)
def test_words_that_name_nobody_stay(text):
    assert mask_text(text) == text


def test_the_masked_text_has_the_same_length_and_everything_else_in_place():
    text = "京A12345占道，车主13812345678，身份证110105198805123419。"

    masked = mask_text(text)

    assert len(masked) == len(text)
    assert [a for a, b in zip(text, masked, strict=True) if a != b and b != "*"] == []
    assert mask_text(masked) == masked  # masking twice changes nothing
