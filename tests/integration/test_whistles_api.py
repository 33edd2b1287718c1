"""The whistle API's answers to what a user can get wrong: who may blow, bad input, stale versions."""

MATTER = "胡同里违规堆放建筑垃圾，需要城管和住建部门到场"


def blow(street, **changes):
    return street.post("/whistles", {"matter": MATTER, "departments": ["110101-housing"], **changes})


def test_only_a_streets_staff_blow_the_whistle(unit):
    assert blow(unit("lighting.handler")).status == 403
    assert blow(unit("dispatcher1")).status == 403
    assert blow(unit()).status == 201


def test_bad_input_names_the_field(unit):
    street = unit()

    not_a_department = blow(street, departments=["110101003"])
    nobody = blow(street, departments=[])
    no_order = blow(street, work_order_id="2611269999999")
    short = blow(street, matter="太短")

    assert [(a.status, a.json()["error"]["details"][0]["field"]) for a in (not_a_department, nobody)] == [
        (400, "departments.0"),
        (400, "departments"),
    ]
    assert (no_order.status, no_order.json()["error"]["details"][0]["field"]) == (400, "work_order_id")
    assert (short.status, short.json()["error"]["details"][0]["field"]) == (400, "matter")


def test_others_do_not_see_a_whistle_and_a_stale_close_is_a_conflict(unit):
    street = unit()
    whistle = blow(street).json()

    assert unit("lighting.handler").get(f"/whistles/{whistle['id']}").status == 404
    assert unit("jiaodaokou.handler").get(f"/whistles/{whistle['id']}").status == 404
    assert unit("supervisor1").get(f"/whistles/{whistle['id']}").status == 200
    assert unit("dongcheng.handler").get(f"/whistles/{whistle['id']}").status == 200
    assert street.get("/whistles/W000000000000").status == 404
    stale = street.post(f"/whistles/{whistle['id']}/close", version=whistle["version"] + 5, result="已处理")
    assert (stale.status, stale.json()["error"]["code"]) == (409, "stale_version")


def test_the_hotline_lists_a_units_whistles_and_units_only_their_own(unit):
    whistle = blow(unit()).json()

    hotline = unit("supervisor1").get("/whistles?unit=110101004")
    unnamed = unit("supervisor1").get("/whistles")
    other = unit("lighting.handler").get("/whistles?unit=110101004")

    assert whistle["id"] in [w["id"] for w in hotline.json()["items"]]
    # 东城区 sees the whistles of its streets (a late department is escalated to it), the hotline too.
    district = unit("dongcheng.handler").get("/whistles")
    by_district = unit("supervisor1").get("/whistles?unit=110101")
    elsewhere = unit("dongcheng.handler").get("/whistles?unit=110102")
    assert whistle["id"] in [w["id"] for w in district.json()["items"]]
    assert [w["id"] for w in by_district.json()["items"]][:1] == [whistle["id"]]
    assert all(w["district"]["id"] == "110101" for w in district.json()["items"])
    assert elsewhere.status == 403
    assert (unnamed.status, unnamed.json()["error"]["details"][0]["field"]) == (400, "unit")
    assert other.status == 403
