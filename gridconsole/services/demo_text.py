"""The material of the demo database: places, organisations, names and case text templates.

Everything here is invented or public (road names, kinds of office); no real person appears. The
generator in :mod:`gridconsole.services.demo` (and its history planner,
:mod:`gridconsole.services.demo_history`) draws from these tables with a seeded random generator,
so their order matters for determinism: only append, or accept that the demo changes.

Case templates are ``str.format`` strings; the slots any of them may use are ``road``, ``num``,
``estate``, ``building``, ``unit``, ``room``, ``shop``, ``eatery``, ``when``, ``duration``,
``topic``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridconsole.domain.enums import (
    AdministrativePower,
    CaseSource,
    DepartmentKind,
    Satisfaction,
    TimeUnit,
)

# -- the hierarchy ----------------------------------------------------------------------------

DISTRICT = ("320102", "玄武区")
STREET = ("320102002", "梅园新村街道", "MY")

# (name, roads the community's grids lie along, estates)
COMMUNITIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("大行宫社区", ("中山东路", "太平北路"), ("大行宫小区", "太平花园", "利济巷小区", "科巷新寓")),
    ("长江路社区", ("长江路", "碑亭巷"), ("长江新村", "碑亭公寓", "总统府东苑", "长江后街小区")),
    ("梅园社区", ("汉府街", "梅园新村路"), ("梅园新村", "汉府雅苑", "东箭道小区", "桃源新村")),
    ("兰园社区", ("兰园", "吉兆营"), ("兰园小区", "吉兆营新寓", "兰园南苑", "红花地小区")),
    ("碑亭巷社区", ("碑亭巷", "大悲巷"), ("大悲巷小区", "碑亭巷北苑", "杨将军巷小区", "竺桥新寓")),
    ("珠江路社区", ("珠江路", "成贤街"), ("珠江苑", "成贤雅居", "北门桥小区", "进香河公寓")),
    ("黄埔路社区", ("黄埔路", "龙蟠中路"), ("黄埔新村", "龙蟠花园", "逸仙名居", "军校新寓")),
    ("逸仙桥社区", ("中山东路", "龙蟠中路"), ("逸仙桥小区", "西华门新寓", "复成新村", "明故宫苑")),
)

# 专属网格 (Art. 6): (community index, grid name, unit name) — a park, a hospital, a school,
# an enterprise, an administrative centre and a commercial complex
DEDICATED_GRIDS: tuple[tuple[int, str, str], ...] = (
    (2, "梅园公园专属网格", "梅园公园管理处"),
    (1, "长江路人民医院专属网格", "长江路人民医院"),
    (5, "梅园中学专属网格", "梅园中学"),
    (6, "金陵智造科技园专属网格", "金陵智造科技有限公司"),
    (0, "街道政务服务中心专属网格", "梅园新村街道政务服务中心"),
    (7, "汉府街商业综合体专属网格", "汉府街商业管理有限公司"),
)

SHOPS = (
    "烧烤店",
    "小吃店",
    "水果店",
    "便利店",
    "麻辣烫店",
    "理发店",
    "五金店",
    "早点铺",
    "快递驿站",
    "棋牌室",
    "洗车店",
    "火锅店",
)

EATERIES = ("烧烤店", "小吃店", "麻辣烫店", "早点铺", "火锅店", "面馆", "卤菜店", "快餐店")

WHENS = (
    "每天晚上十点以后",
    "今天上午九点左右",
    "昨天夜里",
    "最近几天傍晚",
    "今天中午",
    "每天清晨五点多",
    "周末白天",
    "今天下午三点左右",
    "近一周以来",
    "前天晚上",
)

DURATIONS = ("两三天", "一周左右", "半个多月", "一个多月", "好几天", "两个星期", "三天")

# -- people (names are random combinations, never a list of real persons) ---------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆峰建国志海东林文龙云晨阳"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英兰燕萍红梅琳雪婷倩颖慧佳欣悦琴洁蓉晶媛雯璐"

# Art. 15: who may serve as a part-time grid worker
PART_TIME_CATEGORIES = (
    "国家工作人员",
    "人大代表",
    "政协委员",
    "人民调解员",
    "居民代表",
    "志愿者",
)

# the first six digits of the ID numbers: districts of Nanjing and a few of Jiangsu
ID_AREA_CODES = (
    "320102",
    "320104",
    "320105",
    "320106",
    "320111",
    "320113",
    "320114",
    "320115",
    "320116",
    "320211",
    "320311",
    "320412",
    "320583",
    "321002",
)

# -- departments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    kind: DepartmentKind
    has_liaison: bool  # a "main" department gets a demo liaison operator


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("PCS", "梅园新村派出所", DepartmentKind.government, True),
    DepartmentSpec("MZ", "街道民政办", DepartmentKind.government, True),
    DepartmentSpec("SFS", "梅园新村司法所", DepartmentKind.government, True),
    DepartmentSpec("RS", "街道人社服务所", DepartmentKind.government, True),
    DepartmentSpec("SCJG", "梅园市场监管所", DepartmentKind.government, True),
    DepartmentSpec("CG", "城管执法中队", DepartmentKind.government, True),
    DepartmentSpec("ZJ", "区住房和城乡建设局", DepartmentKind.government, False),
    DepartmentSpec("STHJ", "区生态环境局", DepartmentKind.government, False),
    DepartmentSpec("YJ", "街道应急管理办", DepartmentKind.government, False),
    DepartmentSpec("XF", "梅园消防救援站", DepartmentKind.government, False),
    DepartmentSpec("WJ", "社区卫生服务中心", DepartmentKind.government, False),
    DepartmentSpec("XFB", "街道信访办", DepartmentKind.government, False),
    DepartmentSpec("SW", "梅园税务所", DepartmentKind.government, False),
    DepartmentSpec("ZWFW", "街道政务服务中心", DepartmentKind.government, False),
    DepartmentSpec("GD", "玄武供电所", DepartmentKind.utility, True),
    DepartmentSpec("GS", "城北供水营业所", DepartmentKind.utility, True),
    DepartmentSpec("RQ", "港华燃气玄武服务站", DepartmentKind.utility, True),
    DepartmentSpec("WY", "梅园物业服务中心", DepartmentKind.unit, False),
    # the units of two 专属 grids, which handle some of their own cases (Art. 42)
    DepartmentSpec("GYGL", "梅园公园管理处", DepartmentKind.unit, False),
    DepartmentSpec("HFSY", "汉府街商业管理有限公司", DepartmentKind.unit, False),
)

# -- categories -------------------------------------------------------------------------------

Limit = tuple[int, TimeUnit]
WH, WD, CH = TimeUnit.working_hours, TimeUnit.working_days, TimeUnit.calendar_hours

# domain.md §3 handle limits by kind: 咨询/求助 3 working days (urgent 24 h), 投诉/举报 13
# working days (no urgent figure: the normal one is stored), 城市管理 4 working hours … 20
# working days (urgent 2 h)
CONSULT: tuple[Limit, Limit] = ((3, WD), (24, CH))
COMPLAINT: tuple[Limit, Limit] = ((13, WD), (13, WD))


def _city(handle: Limit) -> tuple[Limit, Limit]:
    return handle, (2, CH)


# Where a case happened, which decides its address: a room, a building, an estate or a street
# number (shops, roads).
ROOM, BUILDING, ESTATE, STREET_NUMBER = "room", "building", "estate", "street"


@dataclass(frozen=True)
class CaseTemplate:
    scope: str
    title: str
    what: str  # what happened, after the address; ends with "，"


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    family: int  # Art. 9 (一)…(十二)
    resolvable: bool
    department: str  # code of the default department
    limits: tuple[Limit, Limit]  # handle: normal, urgent
    weight: int  # relative frequency among demo cases
    urgent_share: float
    templates: tuple[CaseTemplate, ...]
    impacts: tuple[str, ...]
    requests: tuple[str, ...]
    feedbacks: tuple[str, ...]
    escalation: str | None = None  # EscalationKind value when a serious case may be escalated
    # Art. 16 (二): an official power (licence, penalty, coercion) is never a grid worker's work
    power: AdministrativePower | None = None

    @property
    def ongoing(self) -> bool:
        """A problem that persists (a hazard, a dispute, a nuisance), not a question."""
        return self.family in (3, 4, 5, 11)


def _t(scope: str, title: str, what: str) -> CaseTemplate:
    return CaseTemplate(scope, title, what)


# fmt: off
CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "01-policy", "政策咨询", 1, True, "ZWFW", CONSULT, 5, 0.0,
        (
            _t(ROOM, "居民咨询{topic}相关政策", "居民想了解{topic}的申请条件和所需材料，"),
            _t(ESTATE, "{estate}居民咨询{topic}办理流程", "居民对{topic}的办理流程不清楚，多次询问未得到明确答复，"),
            _t(ROOM, "老人咨询{topic}", "家中老人咨询{topic}能否由子女代办，"),
        ),
        ("希望能有工作人员详细解释", "担心错过办理时间", "网上查到的说法不一致"),
        ("请相关部门给予政策解答", "请告知具体办理地点和时间"),
        ("已电话联系反映人，详细解释相关政策和所需材料，反映人表示清楚", "已告知线上办理入口并指导提交材料"),
    ),
    CategorySpec(
        "01-legal", "法律咨询", 1, True, "SFS", CONSULT, 2, 0.0,
        (
            _t(ROOM, "租房押金纠纷法律咨询", "居民与房东因押金退还产生分歧，想了解法律规定，"),
            _t(ROOM, "居民咨询房产继承问题", "居民咨询老人赡养和房产继承方面的法律问题，"),
            _t(STREET_NUMBER, "{shop}店主咨询租赁合同问题", "{shop}店主的门面租赁合同即将到期，房东要求大幅涨租，"),
        ),
        ("目前双方沟通不畅", "当事人情绪较为焦虑"),
        ("请司法所提供法律咨询", "希望安排值班律师解答"),
        ("司法所安排值班律师电话解答，并告知申请法律援助的条件", "已预约公共法律服务室律师当面咨询"),
    ),
    CategorySpec(
        "02-address", "门牌地址信息更正", 2, True, "PCS", ((5, WD), (24, CH)), 2, 0.0,
        (
            _t(STREET_NUMBER, "{road}{num}号门牌缺失", "门牌损坏缺失，快递和外卖经常找不到地址，"),
            _t(BUILDING, "{estate}{building}栋楼牌信息有误", "楼栋标识与标准地址库信息不一致，"),
            _t(ESTATE, "{estate}新建楼栋未编门牌", "小区新建的两栋楼一直没有编制门牌，"),
        ),
        ("影响居民办理户籍和居住证", "给居民生活带来不便"),
        ("请核实并更正标准地址信息", "请尽快补装门牌"),
        ("已会同社区核实标准地址，补装门牌并更新基础数据",),
    ),
    CategorySpec(
        "03-security", "治安隐患", 3, False, "PCS", ((5, WD), (24, CH)), 3, 0.15,
        (
            _t(ESTATE, "{estate}门禁损坏，夜间有陌生人出入", "小区门禁损坏多日，夜间常有陌生人进出，"),
            _t(STREET_NUMBER, "{road}{num}号附近电动车电瓶频繁被盗", "附近连续发生电动车电瓶被盗，"),
            _t(BUILDING, "{estate}{building}栋楼道监控损坏", "单元楼道监控摄像头损坏，"),
        ),
        ("居民感到不安全", "老人和孩子夜间不敢出门"),
        ("请派出所加强巡逻", "请尽快排查治安隐患"),
        ("派出所已加强夜间巡逻，督促物业修复门禁和监控", "民警走访周边住户，增设临时巡逻点"),
        "other_major",
    ),
    CategorySpec(
        "03-fire-passage", "消防通道堵塞", 3, True, "XF", _city((1, WD)), 4, 0.2,
        (
            _t(BUILDING, "{estate}{building}栋消防通道被私家车占用", "消防通道长期停放私家车，"),
            _t(BUILDING, "{estate}{building}栋楼道堆放杂物", "楼道内堆放大量纸箱和旧家具，"),
            _t(BUILDING, "{estate}{building}栋电动车楼道充电", "有住户把电动车推进楼道，{when}拉线充电，"),
        ),
        ("一旦发生火灾消防车无法进入", "存在严重消防安全隐患"),
        ("请尽快清理通道", "请消防部门检查整改"),
        ("已联合物业清理消防通道，张贴禁停标识并告知车主", "已清理楼道杂物，对住户进行消防安全宣传"),
    ),
    CategorySpec(
        "03-gas", "燃气隐患", 3, False, "RQ", _city((4, WH)), 3, 0.45,
        (
            _t(BUILDING, "{estate}{building}栋楼道有燃气味", "{unit}单元楼道里闻到明显的燃气味，"),
            _t(STREET_NUMBER, "{road}{num}号{eatery}燃气软管老化", "{eatery}的燃气软管老化开裂，"),
            _t(BUILDING, "{estate}{building}栋室外燃气管道锈蚀", "楼外燃气立管锈蚀严重，"),
        ),
        ("居民担心发生燃气泄漏事故", "周边住户较多，存在安全隐患"),
        ("请燃气公司立即派人检查", "请尽快排除隐患"),
        ("燃气公司抢修人员到场检测，更换老化软管并关闭漏点，复检正常", "已对锈蚀管道做防腐处理并列入改造计划"),
        "major_hazard",
    ),
    CategorySpec(
        "03-food", "食品安全", 3, False, "SCJG", ((13, WD), (24, CH)), 4, 0.05,
        (
            _t(STREET_NUMBER, "{road}{num}号{eatery}卫生条件差", "{eatery}后厨卫生脏乱，有人食用后出现腹泻，"),
            _t(STREET_NUMBER, "{road}{num}号{eatery}售卖过期食品", "{eatery}货架上有过期食品仍在销售，"),
            _t(ESTATE, "{estate}门口无证摊点售卖熟食", "有流动摊点{when}在小区门口售卖无包装熟食，"),
        ),
        ("危害群众身体健康", "周边居民意见较大"),
        ("请市场监管部门依法查处", "请检查经营资质"),
        ("市场监管所现场检查，责令整改并下架过期食品，已立案调查", "已对摊点进行劝离并开展食品安全宣传"),
    ),
    CategorySpec(
        "04-emergency", "突发事件", 4, False, "YJ", _city((4, WH)), 1, 0.7,
        (
            _t(STREET_NUMBER, "{road}{num}号路面塌陷", "路面突然出现塌陷坑，"),
            _t(BUILDING, "{estate}{building}栋外墙瓷砖脱落", "楼房外墙瓷砖成片脱落，"),
            _t(STREET_NUMBER, "{road}{num}号行道树倒伏压住车辆", "大风吹倒行道树，压住路边停放的车辆，"),
        ),
        ("威胁过往行人和车辆安全", "现场已有群众围观"),
        ("请立即派人处置并设置警戒", "请应急部门尽快到场"),
        ("应急办会同相关部门到场设置警戒并完成处置，现场已恢复正常",),
        "emergency",
    ),
    CategorySpec(
        "05-neighbour", "邻里纠纷", 5, True, "SFS", ((5, WD), (24, CH)), 7, 0.05,
        (
            _t(ROOM, "{estate}{building}栋楼上楼下漏水纠纷", "楼上卫生间漏水导致楼下天花板发霉，双方多次协商未果，"),
            _t(BUILDING, "{estate}{building}栋邻居占用公共走道", "邻居在公共走道堆放鞋柜杂物，"),
            _t(ESTATE, "{estate}邻里停车位纠纷", "两户邻居因停车位归属发生争吵，"),
        ),
        ("矛盾有激化趋势", "双方情绪激动"),
        ("请社区和司法所调解", "希望尽快化解矛盾"),
        ("人民调解员组织双方调解，达成书面调解协议", "网格员上门协调，双方各退一步，矛盾已化解"),
        "major_dispute",
    ),
    CategorySpec(
        "05-family", "家庭矛盾", 5, True, "SFS", ((5, WD), (24, CH)), 3, 0.1,
        (
            _t(ROOM, "{estate}{building}栋老人赡养纠纷", "家庭成员因老人赡养问题产生矛盾，"),
            _t(ROOM, "{estate}居民家庭矛盾求助", "夫妻之间经常争吵，女方向网格员求助，"),
        ),
        ("老人生活无人照料", "当事人情绪低落"),
        ("请社区和司法所介入调解", "请提供帮助"),
        ("网格员会同司法所上门调解，子女签订赡养协议，社区持续关注",),
    ),
    CategorySpec(
        "05-petition", "信访诉求", 5, False, "XFB", COMPLAINT, 3, 0.05,
        (
            _t(ESTATE, "{estate}居民反映老旧小区改造拖延", "多名居民反映老旧小区改造施工拖延，"),
            _t(ESTATE, "{estate}居民联名反映物业问题", "居民联名反映物业收费不透明、服务不到位，"),
        ),
        ("居民意见较大", "已多次反映未解决"),
        ("请相关部门给出答复", "希望召开居民协调会"),
        ("信访办会同住建部门召开协调会，明确整改时间表并答复居民",),
        "major_dispute",
    ),
    CategorySpec(
        "06-wages", "欠薪", 6, False, "RS", COMPLAINT, 3, 0.1,
        (
            _t(STREET_NUMBER, "{road}{num}号工地拖欠农民工工资", "工地拖欠十余名工人三个月工资，"),
            _t(STREET_NUMBER, "{road}{num}号{shop}拖欠员工工资", "{shop}老板拖欠员工工资后联系不上，"),
        ),
        ("工人生活困难", "工人有聚集讨薪的可能"),
        ("请劳动保障部门介入", "请帮助追讨工资"),
        ("劳动保障监察约谈施工单位，工资已全额支付到工人账户",),
        "mass_incident",
    ),
    CategorySpec(
        "06-social-security", "社保咨询", 6, True, "RS", CONSULT, 4, 0.0,
        (
            _t(ROOM, "居民咨询灵活就业社保缴费", "居民咨询灵活就业人员社保缴费标准和方式，"),
            _t(ROOM, "居民咨询退休养老金领取手续", "居民即将退休，咨询养老金领取手续，"),
            _t(ROOM, "居民咨询医保异地就医备案", "家中老人要去外地子女家长住，咨询医保异地就医备案，"),
        ),
        ("不清楚如何办理", "多次来电询问"),
        ("请给予解答", "请告知线上办理渠道"),
        ("已电话答复缴费标准和办理渠道，反映人表示清楚",),
    ),
    CategorySpec(
        "06-subsistence", "低保救助", 6, True, "MZ", CONSULT, 3, 0.1,
        (
            _t(ROOM, "{estate}困难家庭申请低保", "家中有重病患者，收入微薄，想申请低保，"),
            _t(ROOM, "{estate}{building}栋独居老人生活困难", "独居老人行动不便，生活困难，"),
        ),
        ("生活难以为继", "需要及时帮扶"),
        ("请民政部门核实并给予救助", "请社区上门了解情况"),
        ("民政办上门核查，指导申请低保并发放临时救助金", "已为老人链接助餐和居家养老上门服务"),
    ),
    CategorySpec(
        "06-health", "卫生健康", 6, True, "WJ", CONSULT, 2, 0.05,
        (
            _t(ROOM, "老人咨询免费体检安排", "老人咨询今年免费体检的时间和地点，"),
            _t(ROOM, "{estate}居民咨询家庭医生签约", "居民想签约家庭医生，不清楚流程，"),
        ),
        ("希望尽快安排", "行动不便无法到现场"),
        ("请卫生服务中心答复", "希望提供上门服务"),
        ("社区卫生服务中心电话告知体检安排并上门办理签约",),
    ),
    CategorySpec(
        "06-tax", "税务咨询", 6, True, "SW", CONSULT, 1, 0.0,
        (
            _t(STREET_NUMBER, "{shop}店主咨询税费减免", "{shop}店主咨询小规模纳税人减免政策，"),
            _t(ROOM, "居民咨询个税汇算", "居民对个人所得税汇算清缴操作不熟悉，"),
        ),
        ("担心逾期受罚", "希望得到指导"),
        ("请税务所解答", "请给予操作指导"),
        ("税务所电话解答并指导在手机端完成申报",),
    ),
    CategorySpec(
        "07-key-groups", "重点人员服务管理", 7, False, "SFS", ((5, WD), (24, CH)), 1, 0.1,
        (
            _t(ESTATE, "{estate}社区矫正对象情绪异常", "网格员走访发现一名社区矫正对象近期情绪异常，"),
            _t(ESTATE, "{estate}刑满释放人员需就业帮扶", "一名刑满释放人员返回社区后就业困难，"),
        ),
        ("需要重点关注", "存在不稳定因素"),
        ("请司法所跟进帮教", "请协助落实帮扶措施"),
        ("司法所开展个别谈话教育并联系就业帮扶，网格员持续走访",),
    ),
    CategorySpec(
        "08-self-government", "居务公开", 8, True, "MZ", ((5, WD), (5, WD)), 1, 0.0,
        (
            _t(ESTATE, "{estate}居民要求公开公共收益", "居民要求公开小区公共收益的使用情况，"),
            _t(ESTATE, "{estate}停车位划线方案意见不一", "居民议事会对停车位划线方案意见不一，"),
        ),
        ("居民有疑虑", "影响方案实施"),
        ("请社区居委会组织公开", "请召开居民议事会"),
        ("居委会张榜公开收支明细并召开议事会，居民无异议",),
    ),
    CategorySpec(
        "11-noise", "噪音扰民", 11, True, "CG", _city((2, WD)), 10, 0.05,
        (
            _t(STREET_NUMBER, "{road}{num}号工地夜间施工噪音扰民", "工地{when}仍在施工，噪音很大，"),
            _t(ROOM, "{estate}{building}栋装修噪音扰民", "楼上住户{when}装修，电钻声不断，"),
            _t(STREET_NUMBER, "{road}{num}号{shop}音响声音过大", "{shop}门口{when}用音响播放促销广告，"),
            _t(ESTATE, "{estate}广场舞音响扰民", "小区广场{when}有人跳广场舞，音响开得很大，"),
        ),
        ("严重影响居民休息", "老人和孩子无法入睡"),
        ("请相关部门尽快处理", "请查处并督促整改"),
        ("城管中队到场核实，责令停止夜间施工并告知施工时间规定，已整改", "网格员上门劝导，当事人已调小音量并承诺不再扰民"),
    ),
    CategorySpec(
        "11-street-vending", "占道经营", 11, True, "CG", _city((4, WH)), 8, 0.05,
        (
            _t(STREET_NUMBER, "{road}{num}号{eatery}占道经营", "{eatery}{when}把桌椅摆到人行道上，"),
            _t(STREET_NUMBER, "{road}{num}号附近流动摊贩聚集", "流动摊贩{when}在路口聚集摆摊，"),
            _t(ESTATE, "{estate}门口占道摆摊", "有商贩{when}在小区门口摆摊卖菜，"),
        ),
        ("行人只能走机动车道，存在安全隐患", "造成交通拥堵"),
        ("请城管部门清理", "请加强日常巡查"),
        ("城管队员到场劝离摊贩，对店外经营的店主进行教育并签订承诺书",),
    ),
    CategorySpec(
        "11-illegal-building", "违章搭建", 11, False, "CG", _city((20, WD)), 5, 0.0,
        (
            _t(BUILDING, "{estate}{building}栋顶楼违章搭建", "顶楼住户在楼顶搭建彩钢房，"),
            _t(ROOM, "{estate}{building}栋一楼住户私自扩建", "一楼住户私自圈占公共绿地搭建阳光房，"),
            _t(STREET_NUMBER, "{road}{num}号违建彩钢棚", "沿街商户在门前搭建彩钢棚，"),
        ),
        ("影响房屋结构安全", "侵占公共空间，邻居意见较大"),
        ("请核查并依法拆除", "请城管部门依法处理"),
        ("城管中队现场勘查并下达限期拆除通知书，当事人已自行拆除",),
        power=AdministrativePower.coercion,  # 强制拆除
    ),
    CategorySpec(
        "11-garbage", "垃圾堆放", 11, True, "CG", _city((4, WH)), 8, 0.05,
        (
            _t(BUILDING, "{estate}{building}栋旁垃圾长期堆放", "楼旁垃圾堆放多日无人清运，散发异味，"),
            _t(STREET_NUMBER, "{road}{num}号附近建筑垃圾乱倒", "有人{when}在路边偷倒建筑垃圾，"),
            _t(ESTATE, "{estate}垃圾分类投放点满溢", "垃圾分类投放点垃圾满溢，"),
        ),
        ("蚊蝇滋生，影响环境卫生", "影响居民出行"),
        ("请尽快清运", "请加强管理"),
        ("环卫人员已清运完毕，物业增加清运频次", "已清运建筑垃圾，并在路口加装监控"),
    ),
    CategorySpec(
        "11-water", "供水漏水", 11, False, "GS", _city((4, WH)), 5, 0.2,
        (
            _t(STREET_NUMBER, "{road}{num}号路面冒水", "路边地下水管破裂，路面冒水，"),
            _t(BUILDING, "{estate}{building}栋楼道水管破裂", "楼道内供水管道破裂漏水，"),
            _t(ESTATE, "{estate}突然停水未通知", "小区{when}突然停水，没有任何通知，"),
        ),
        ("浪费水资源，路面积水有危险", "居民生活用水受影响"),
        ("请供水公司尽快抢修", "请告知恢复供水时间"),
        ("供水公司抢修完毕，已恢复正常供水",),
    ),
    CategorySpec(
        "11-power", "停电故障", 11, False, "GD", _city((4, WH)), 2, 0.25,
        (
            _t(BUILDING, "{estate}{building}栋突然停电", "整栋楼{when}突然停电，"),
            _t(STREET_NUMBER, "{road}{num}号附近路灯不亮", "一段路灯{when}全部不亮，"),
        ),
        ("老人被困电梯的风险很大", "夜间行人通行不安全"),
        ("请供电部门尽快抢修", "请尽快恢复"),
        ("供电所抢修人员更换故障开关，已恢复供电",),
    ),
    CategorySpec(
        "11-housing", "房屋安全", 11, False, "ZJ", _city((10, WD)), 3, 0.2,
        (
            _t(BUILDING, "{estate}{building}栋墙体开裂", "楼房承重墙出现明显裂缝，"),
            _t(ROOM, "{estate}{building}栋阳台栏杆松动", "老旧房屋阳台栏杆锈蚀松动，"),
        ),
        ("居民担心房屋安全", "楼下是居民通道，存在坠物风险"),
        ("请住建部门鉴定", "请尽快排查危险"),
        ("住建局委托鉴定机构检测，已落实加固措施",),
        "major_hazard",
    ),
    CategorySpec(
        "11-pollution", "油烟污染", 11, True, "STHJ", _city((5, WD)), 4, 0.0,
        (
            _t(STREET_NUMBER, "{road}{num}号{eatery}油烟直排扰民", "{eatery}未安装油烟净化设备，油烟直排居民楼，"),
            _t(STREET_NUMBER, "{road}{num}号{eatery}店外露天烧烤", "{eatery}{when}在店外露天烧烤，"),
        ),
        ("居民不敢开窗", "烟雾弥漫，气味难闻"),
        ("请生态环境部门查处", "请督促安装净化设备"),
        ("生态环境局现场检查，责令安装油烟净化设备，已整改到位",),
    ),
    CategorySpec(
        "11-road", "道路设施损坏", 11, True, "CG", _city((2, WD)), 5, 0.1,
        (
            _t(STREET_NUMBER, "{road}{num}号窨井盖缺失", "路边窨井盖缺失，"),
            _t(STREET_NUMBER, "{road}{num}号人行道地砖破损", "人行道地砖大面积破损翘起，"),
            _t(ESTATE, "{estate}门口路面坑洼积水", "小区门口路面坑洼，雨后积水，"),
        ),
        ("行人容易绊倒摔伤", "夜间存在安全隐患"),
        ("请尽快修复", "请先设置警示标志"),
        ("已设置警示并完成修复",),
    ),
    CategorySpec(
        "12-other", "其他事项", 12, True, "ZWFW", ((5, WD), (24, CH)), 2, 0.0,
        (
            _t(ESTATE, "{estate}居民建议增设充电桩", "居民建议在小区增设电动车充电桩，"),
            _t(ESTATE, "{estate}居民希望增加健身器材", "居民希望增加公共健身器材，"),
        ),
        ("需求较为普遍", "居民呼声较高"),
        ("请相关部门研究", "请给予答复"),
        ("已转相关部门研究并答复反映人",),
    ),
    CategorySpec(
        "11-unlicensed", "无照经营", 11, False, "SCJG", _city((5, WD)), 3, 0.0,
        (
            _t(STREET_NUMBER, "{road}{num}号{shop}无照经营", "一家{shop}未办理营业执照就开门经营，"),
            _t(BUILDING, "{estate}{building}栋居民楼内开设{eatery}", "有住户在居民楼内开设{eatery}对外营业，未见任何证照，"),
            _t(STREET_NUMBER, "{road}{num}号门面无证经营{eatery}", "新开的{eatery}没有营业执照和食品经营许可，"),
        ),
        ("存在食品安全和消防隐患", "周边正规商户意见较大"),
        ("请市场监管部门依法查处", "请核实经营者证照"),
        ("市场监管所现场检查，责令停止无照经营并依法立案查处", "经核查，经营者已补办营业执照，已告知规范经营"),
        power=AdministrativePower.penalty,
    ),
)
# fmt: on

# Who else handles a category besides its default department (department_categories): the
# departments a dispatcher may send it to without overriding the routing rules.
EXTRA_HANDLERS: dict[str, tuple[str, ...]] = {
    "01-policy": ("MZ",),
    "01-legal": ("ZWFW",),
    "02-address": ("ZWFW",),
    "03-security": ("YJ",),
    "03-fire-passage": ("CG", "WY", "HFSY"),
    "03-gas": ("YJ", "XF"),
    "03-food": ("WJ",),
    "04-emergency": ("XF", "PCS"),
    "05-neighbour": ("PCS",),
    "05-family": ("MZ", "PCS"),
    "05-petition": ("SFS",),
    "06-wages": ("SFS",),  # legal aid for the wage claim
    "06-social-security": ("ZWFW",),
    "06-subsistence": ("ZWFW",),
    "06-health": ("ZWFW",),
    "06-tax": ("ZWFW",),
    "07-key-groups": ("PCS", "WJ"),  # WJ: people with severe mental disorders
    "11-noise": ("PCS", "STHJ"),  # PCS: noise from social life; STHJ: from building sites
    "11-street-vending": ("SCJG",),
    "11-illegal-building": ("ZJ",),
    "11-garbage": ("WY", "GYGL", "HFSY"),
    "11-water": ("WY",),  # pipes inside an estate
    "11-power": ("WY",),
    "11-housing": ("YJ",),
    "11-pollution": ("CG",),
    "11-road": ("ZJ", "GYGL"),
    "12-other": ("MZ",),
    "11-unlicensed": ("CG",),
}

# Routing rules before the categories' defaults: (category code, community index, name of a
# 专属 grid, department code); a rule names a community or a grid. The units of the park and of
# the commercial complex handle their own grid's cases (Art. 42); in 梅园社区 the property service
# centre takes the estates' garbage and blocked fire passages.
ROUTING_RULES: tuple[tuple[str, int | None, str | None, str], ...] = (
    ("11-garbage", None, "梅园公园专属网格", "GYGL"),
    ("11-road", None, "梅园公园专属网格", "GYGL"),
    ("03-fire-passage", None, "汉府街商业综合体专属网格", "HFSY"),
    ("11-garbage", None, "汉府街商业综合体专属网格", "HFSY"),
    ("11-garbage", 2, None, "WY"),
    ("03-fire-passage", 2, None, "WY"),
)

# topics of consultations: the `{topic}` slot
TOPICS = ("公租房申请", "高龄津贴", "残疾人补贴", "居住证办理", "新生儿医保", "老旧小区加装电梯")

INTROS: dict[CaseSource, tuple[str, ...]] = {
    CaseSource.grid_worker: ("网格员巡查发现：", "网格员走访时发现："),
    CaseSource.phone: ("群众来电反映：", "居民来电称："),
    CaseSource.visit: ("居民来访反映：", "群众到中心来访反映："),
    CaseSource.hotline: ("12345热线转办：市民反映，", "12345热线工单：来电人反映，"),
    CaseSource.platform: ("网民在平台留言：", "居民通过微信平台反映："),
    CaseSource.department: ("相关部门移交：", "区网格化中心转来："),
    CaseSource.patrol: ("巡查发现：", "街道巡查组发现："),
}

# how long it has been going on: most descriptions say
HISTORIES = (
    "该情况已持续{duration}。",
    "反映人称{duration}前就发现了这个问题。",
    "据反映，问题已存在{duration}，之前向物业反映过但没有解决。",
    "附近住户说这种情况有{duration}了。",
)

# sentences that make descriptions ~80–200 characters
EXTRAS = (
    "反映人情绪比较激动，要求尽快给个说法。",
    "网格员已到现场拍照核实，情况属实。",
    "据了解，同一位置此前也有居民反映过类似问题。",
    "反映人称此前已向物业反映过，但没有得到解决。",
    "周边居民对此意见较大，希望相关部门重视。",
    "现场已拍照留存，请尽快核实处理。",
    "反映人留下联系方式，希望处理后及时告知结果。",
    "该问题反复出现，希望能从根本上解决。",
)

# the same for questions and requests for help
CONSULT_EXTRAS = (
    "反映人为老年人，希望工作人员耐心解答。",
    "反映人希望通过电话答复。",
    "反映人留下联系方式，希望尽快得到答复。",
    "反映人表示此前在网上查询过，但没有找到明确说法。",
)

# -- reasons and notes on the timeline --------------------------------------------------------

REJECT_NOTES: dict[str, tuple[str, ...]] = {
    "out_of_scope": (
        "属于民事合同纠纷，已告知反映人通过诉讼途径解决",
        "不属于网格事项清单范围，已告知反映人相关渠道",
    ),
    "malicious": ("同一号码短时间内多次反映不实内容，经核实为恶意反映",),
    "insufficient_info": (
        "反映人未能提供具体地址，多次回拨无人接听",
        "信息不全，无法核实具体位置",
    ),
}
MERGE_NOTES = ("与已受理事件反映同一问题，合并处理", "重复反映，并入原事件")
RESOLVE_NOTES = (
    "网格员现场劝导，当事人已整改，问题解决",
    "网格员上门协调，双方达成一致",
    "网格员现场处置完毕并拍照留存",
)
RETURN_REASONS = (
    "该事项不属于本单位职责范围，建议转{department}处理",
    "现场核实地址不在本单位管辖范围，请核实后改派{department}",
)
RETURN_BASES = ("依据《街道职责清单》", "依据部门“三定”方案", "依据网格事项清单分工")
# the shift lead's decisions on the departments' requests
RETURN_APPROVALS = ("经核实确非该单位职责，同意退单，予以改派", "退单理由成立，同意退回")
RETURN_REFUSALS = (
    "该事项在贵单位职责清单内，不同意退单，请继续处置",
    "退单依据不足，请按时限处置并反馈",
)
EXTENSION_REASONS = (
    "需协调产权单位共同维修，申请延长办理时限",
    "需采购专用配件，工期较长，申请延期",
    "涉及多方协调，短期内无法办结，申请延期",
)
EXTENSION_APPROVALS = ("情况属实，同意延期", "同意延期，请在新时限内办结")
EXTENSION_REFUSALS = ("延期理由不充分，请按原时限办结", "不同意延期，请加快处置进度")
SUSPEND_REASONS = (
    "需等待第三方鉴定结果，申请挂起，计划{resume_on}恢复",
    "当事人外出联系不上，申请挂起，计划{resume_on}恢复",
    "需协调产权单位，申请挂起，计划{resume_on}恢复",
)
SUSPENSION_APPROVALS = ("同意挂起，到期请及时恢复办理", "情况属实，同意挂起")
SUSPENSION_REFUSALS = ("不符合挂起条件，请继续处置", "可先行采取临时措施，不同意挂起")
REOPEN_NOTES = ("回访不满意，重新交办处置", "反映人对处理结果不满意，重新办理")
VERIFY_PASS_NOTES = (
    "网格员现场核查，问题已解决",
    "网格员回访现场，整改到位",
    "经现场核实，处置结果属实",
)
CLOSE_NOTES = ("已答复反映人，予以办结", "处置完毕，反映人无异议，结案")
VERIFY_FAIL_REASONS = (
    "网格员现场核查，问题依然存在，退回重新处置",
    "反映人表示问题未解决，核查不通过",
)
INSTRUCTIONS = ("请按时限签收处置并及时反馈", "请尽快到场核实处置", "请协同处置，及时反馈结果")
SATISFACTION = (
    (Satisfaction.satisfied, 75),
    (Satisfaction.basically, 18),
    (Satisfaction.unsatisfied, 7),
)
FOLLOW_UP_NOTES = {
    Satisfaction.satisfied: "电话回访反映人，对处理结果表示满意",
    Satisfaction.basically: "电话回访反映人，表示基本满意",
    Satisfaction.unsatisfied: "电话回访反映人，对处理结果不满意",
}
ESCALATION_REASONS = {
    "major_dispute": "矛盾有激化可能，网格长现场报告，需街道牵头化解",
    "major_hazard": "隐患涉及多户居民安全，网格员立即上报",
    "mass_incident": "十余名工人聚集讨薪，存在群体性事件风险",
    "emergency": "突发险情，网格员第一时间电话报告中心",
    "other_major": "涉及公共安全，需多部门联动处置",
}

# reporters from the public: weights of the sources (网格员上报 leads, then 12345)
SOURCE_WEIGHTS: tuple[tuple[CaseSource, int], ...] = (
    (CaseSource.grid_worker, 35),
    (CaseSource.hotline, 30),
    (CaseSource.phone, 12),
    (CaseSource.platform, 8),
    (CaseSource.visit, 5),
    (CaseSource.patrol, 6),
    (CaseSource.department, 4),
)

# -- the escalation board (Art. 30): who was told, and what the reports said ---------------------

# the person or office a report went to, per level of the reporting chain
ESCALATION_RECIPIENTS = {
    "street_leader": ("街道分管领导 陈主任", "街道综治中心 王主任", "街道值班领导 刘副主任"),
    "district_centre": ("区社会治理指挥中心值班室", "区综治中心 周科长"),
    "departments": ("区人社局劳动监察大队", "街道安监办", "街道派出所", "区应急管理局值班室"),
}
# (初报 by phone, 初报 in writing, 续报, 终报) for each kind of escalation
ESCALATION_REPORTS = {
    "major_dispute": (
        "电话报告：双方矛盾激化，网格长已在现场劝解，暂无肢体冲突",
        "书面初报：纠纷起因、涉及人员和现场情况见附件，街道已安排调解员到场",
        "续报：调解会已召开，双方同意暂缓，街道继续跟进",
        "终报：双方签订调解协议，矛盾已化解，现场恢复正常",
    ),
    "major_hazard": (
        "电话报告：隐患涉及多户居民，已拉警戒线并疏散周边人员",
        "书面初报：隐患位置、影响范围和已采取的临时措施见附件",
        "续报：专业单位已到场评估，加固方案已确定",
        "终报：隐患已排除，经复查无安全风险，警戒已解除",
    ),
    "mass_incident": (
        "电话报告：{people}名工人在现场聚集讨薪，情绪尚稳定，网格员在场",
        "书面初报：欠薪金额、涉及人数和用工单位情况见附件，劳动监察已联系",
        "续报：劳动监察约谈用工单位，达成分期支付方案，人员已部分散去",
        "终报：工资已全额支付，聚集人员全部散去，未发生极端行为",
    ),
    "emergency": (
        "电话报告：突发险情，已通知消防和燃气抢修，网格员在现场疏导",
        "书面初报：事发经过、影响范围和处置力量见附件",
        "续报：险情已得到控制，受影响居民已临时安置",
        "终报：险情处置完毕，无人员伤亡，设施已恢复",
    ),
    "other_major": (
        "电话报告：情况涉及公共安全，已通知相关部门到场",
        "书面初报：基本情况和已采取措施见附件",
        "续报：相关部门联合处置中，现场秩序正常",
        "终报：处置完毕，已恢复正常秩序",
    ),
}
ESCALATION_RAISE_LEVEL = (
    "事态有扩大趋势，报区级中心协调",
    "涉及跨部门处置，需区级统筹",
)
