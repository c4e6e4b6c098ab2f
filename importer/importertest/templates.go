package importertest

import "strings"

// slots are the details a template's {placeholders} take.
type slots struct {
	order, product, courier, city, amount, days, code, coupon string
}

func (s slots) fill(t string) string {
	return strings.NewReplacer(
		"{order}", s.order, "{product}", s.product, "{courier}", s.courier, "{city}", s.city,
		"{amount}", s.amount, "{days}", s.days, "{code}", s.code, "{coupon}", s.coupon,
	).Replace(t)
}

// phrasing is how customers and agents talk about one category.
type phrasing struct {
	titles, bodies, details, replies, notes, tags []string
}

func products() []string {
	return []string{"蓝牙耳机", "扫地机器人", "空气炸锅", "电动牙刷", "羽绒服", "运动鞋", "保温杯", "智能手表",
		"破壁机", "加湿器", "行李箱", "连衣裙", "机械键盘", "电饭煲", "吹风机", "儿童安全座椅"}
}

func couriers() []string {
	return []string{"顺丰", "中通", "圆通", "韵达", "京东物流", "邮政 EMS", "申通", "极兔"}
}

func cities() []string {
	return []string{"杭州", "广州", "成都", "武汉", "郑州", "西安", "南京", "沈阳", "昆明", "济南"}
}

func coupons() []string {
	return []string{"满 300 减 50", "满 199 减 20", "新人 10 元无门槛", "会员 9 折", "品类券满 100 减 15"}
}

func openings() []string {
	return []string{"", "", "您好，", "你好，", "客服你好，", "在吗？", "麻烦问一下，", "打扰了，"}
}

func closings() []string {
	return []string{"", "", "谢谢！", "麻烦尽快处理。", "急，在线等。", "辛苦了。", "请尽快回复。"}
}

// vagueTitles say nothing of the problem, as many ticket subjects do.
func vagueTitles() []string {
	return []string{"订单有问题", "咨询一下", "客服在吗", "请帮忙处理", "有个问题想问", "急！！！", "关于我的订单 {order}", "投诉", "求助", "(无主题)"}
}

func vagueBodies() []string {
	return []string{"如题，麻烦帮我看一下。", "订单 {order} 有点问题，麻烦联系我。", "之前打电话说过了，", "你们看一下我的订单吧，", "上次的问题还没解决，"}
}

// confusable lists, for each category, the ones its tickets get mixed up
// with: a refund after a cancelled order, a repair sent back by courier.
func confusable() map[string][]string {
	return map[string][]string{
		"refund":       {"order_change", "promotion", "logistics", "repair"},
		"logistics":    {"order_change", "refund", "repair"},
		"invoice":      {"refund", "order_change"},
		"account":      {"promotion", "order_change"},
		"repair":       {"refund", "logistics", "product"},
		"promotion":    {"refund", "account", "product"},
		"order_change": {"logistics", "refund"},
		"product":      {"repair", "promotion"},
	}
}

func replyOpen() []string {
	return []string{"您好，", "亲，您好！", "您好，感谢您的耐心等待。", "您好，很抱歉给您带来不便。"}
}

func replyClose() []string {
	return []string{"", "\n如有其他问题欢迎随时联系我们。", "\n祝您生活愉快！", "\n再次抱歉给您添麻烦了。"}
}

func followUps() []string {
	return []string{"好的，收到了，谢谢。", "还是没有解决，能再看看吗？", "已经处理好了，谢谢你们。", "大概还要多久？", "知道了，我再等等。"}
}

func finalReplies() []string {
	return []string{"好的，有问题随时联系我们。", "已经再次为您加急处理，请留意短信通知。", "感谢您的反馈，这个工单我们先为您关闭。"}
}

// templates is the vocabulary of each category. Each has its own core words
// (退款/到账, 快递/物流/签收, 发票/抬头/税号 …) and shares the everyday ones
// (订单, 商品, 客服), so the categories are learnable but not trivially so.
func templates() map[string]phrasing {
	return map[string]phrasing{
		"refund": {
			titles: []string{"申请退款", "退款什么时候到账", "订单 {order} 退款进度", "退货后一直没收到退款", "重复扣款要求退款",
				"{product}不想要了，怎么退款", "退款被拒绝了", "取消订单后钱没退回", "七天无理由退款", "退款金额不对"},
			bodies: []string{
				"我在 {days} 天前申请了退款，订单号 {order}，到现在钱还没退回来。",
				"买的{product}不想要了，还没拆封，想申请七天无理由退货退款。",
				"付款的时候被扣了两次 {amount} 元，订单 {order}，请把多扣的退给我。",
				"订单 {order} 已经取消了，可是 {amount} 元一直没有原路退回到我的银行卡。",
				"退货已经寄回去了，快递显示你们签收了，退款还是显示处理中。",
				"申请退款被拒绝了，理由写的是商品已使用，可我根本没用过{product}。",
				"退款只退了一部分，少了 {amount} 元运费，这个应该怎么算？",
				"我用花呗付的款，退款会退到哪里？已经 {days} 天了还没看到。",
			},
			details: []string{"退款申请单号在订单详情里能看到。", "我的银行卡没有收到任何退款短信。", "如果今天不能退款我就去投诉了。"},
			replies: []string{"已为您核实，订单 {order} 的退款 {amount} 元已原路退回，预计 1–3 个工作日到账。",
				"您的退货我们已签收，退款已提交财务，请留意银行到账通知。",
				"重复扣款的 {amount} 元已为您退回，退款流水已发送到您的手机。",
				"七天无理由退货已为您审核通过，请在订单页填写退货快递单号，收货后 24 小时内退款。"},
			notes: []string{"支付后台核实重复扣款，已提交原路退款。", "退货已入库，质检通过，可以退款。", "财务确认退款已打款。"},
			tags:  []string{"退款", "退货", "到账"},
		},
		"logistics": {
			titles: []string{"快递几天没更新了", "物流一直不动", "显示已签收但没收到货", "什么时候发货", "包裹被退回了",
				"{courier}派送太慢", "订单 {order} 查不到物流", "快递丢件了", "能不能加急发货", "外包装破损"},
			bodies: []string{
				"我的包裹（{courier}）在{city}转运中心停了 {days} 天，物流信息一直没有更新。",
				"订单 {order} 显示已签收，但我家里和快递柜都没有找到包裹。",
				"下单 {days} 天了还显示待发货，{product}什么时候能发出？",
				"快递员说地址不详，包裹被退回{city}网点了，能重新派送吗？",
				"{courier}的快递员电话一直打不通，包裹到哪了也不知道。",
				"订单 {order} 的物流单号查不到任何信息，是不是填错了？",
				"收到的箱子外包装破了，里面的{product}不知道有没有问题。",
				"急用，能不能换顺丰发货？运费我可以补。",
			},
			details: []string{"快递单号在订单详情里。", "我这几天都在家，可以随时签收。", "物流页面一直显示运输中。"},
			replies: []string{"已联系{courier}核实，包裹因中转站积压延误，今天已发出，预计 {days} 天内送达。",
				"已为您向快递公司发起丢件调查，如 48 小时内找不到将为您补发。",
				"您的订单已经出库，物流单号已更新，请在订单详情中查看。",
				"已安排快递员重新派送，派送前会电话联系您。"},
			notes: []string{"已在{courier}后台提交催件。", "仓库确认漏发，安排补发。", "快递网点回复明天二次派送。"},
			tags:  []string{"物流", "快递", "发货"},
		},
		"invoice": {
			titles: []string{"怎么开发票", "需要开增值税专用发票", "发票抬头开错了", "电子发票没收到", "发票税号填错了",
				"能开纸质发票吗", "订单 {order} 补开发票", "发票金额不对", "公司报销要发票", "发票什么时候能开好"},
			bodies: []string{
				"订单 {order} 需要开增值税专用发票，公司抬头和税号怎么提交？",
				"上次开的电子发票抬头少了“有限公司”，麻烦作废重开。",
				"申请的电子发票 {days} 天了还没发到邮箱，能再发一次吗？",
				"发票上的税号少填了一位，报销被财务退回来了。",
				"公司报销需要纸质发票，能邮寄给我吗？",
				"发票金额是 {amount} 元，可我实际付款不是这个数。",
				"忘了下单时开发票，现在还能补开吗？订单号 {order}。",
			},
			details: []string{"发票抬头是单位名称。", "财务说必须是专票。", "邮箱填的是工作邮箱。"},
			replies: []string{"电子发票已重新开具并发送至您的邮箱，请注意查收。",
				"开具增值税专用发票需要提供：公司抬头、税号、开户行及账号、注册地址和电话，请回复后我们 3 个工作日内开出。",
				"原发票已作废，新的发票已开具，抬头已更正。",
				"纸质发票已邮寄，快递单号已发送到您的手机。"},
			notes: []string{"已通知财务作废原发票并重开。", "专票信息已核对无误。", "补开发票已提交开票系统。"},
			tags:  []string{"发票", "专票", "报销"},
		},
		"account": {
			titles: []string{"账号登不上去", "收不到验证码", "账号被冻结了", "怎么修改绑定手机号", "密码忘了",
				"账号被盗", "会员等级不对", "怎么注销账号", "微信登录后找不到原来的订单", "积分突然清零"},
			bodies: []string{
				"换了手机号以后收不到登录验证码，账号登不上去了。",
				"登录提示账号存在风险已被冻结，我什么也没做。",
				"密码忘了，找回密码一直提示手机号未注册。",
				"昨晚收到短信说账号在{city}登录，还下了订单，不是我操作的。",
				"我的会员等级应该是金卡，显示的却是普通会员。",
				"用微信登录以后，原来手机号账号里的订单都不见了。",
				"积分昨天还有 {amount}，今天登录变成 0 了。",
				"想注销账号，在设置里找不到入口。",
			},
			details: []string{"我已经改过一次密码了。", "绑定的手机号已经停机。", "账号是用手机号注册的。"},
			replies: []string{"已为您解除账号冻结，建议修改密码并开启登录保护。",
				"已核实身份，绑定手机号已为您更换，请用新号码登录。",
				"检测到异地登录，我们已冻结可疑订单并重置了您的登录密码。",
				"两个账号已为您合并，原来的订单和积分都能看到了。"},
			notes: []string{"风控误判，已申请解冻。", "身份证核验通过，已换绑手机。", "安全组确认异地登录，已冻结订单。"},
			tags:  []string{"账号", "登录", "安全"},
		},
		"repair": {
			titles: []string{"{product}坏了怎么保修", "开机报错 {code}", "申请售后维修", "{product}不能充电", "维修寄回后还是坏的",
				"保修期内免费修吗", "{product}有异响", "屏幕出现坏点", "配件坏了能单买吗", "维修进度查询"},
			bodies: []string{
				"买了不到 {days} 个月的{product}，开机就提示 {code} 错误，重启也没用。",
				"{product}放到充电座上没有反应，指示灯也不亮，还在保修期内。",
				"上次寄修回来的{product}用了两天又坏了，同样的问题。",
				"{product}用的时候有很大的异响，是质量问题吗？怎么申请维修？",
				"寄去维修已经 {days} 周了，维修进度一直显示检测中。",
				"{product}的电池鼓包了，保修期内可以免费换吗？",
				"充电线坏了，能单独买一根原装的吗？",
			},
			details: []string{"购买凭证我都保留着。", "机器没有摔过也没进水。", "修不好的话我要求换新。"},
			replies: []string{"{code} 是传感器故障，需要返厂维修，我们已为您安排上门取件，维修周期约 7 个工作日。",
				"您的{product}在保修期内，可免费维修，请按短信里的地址寄回，运费由我们承担。",
				"维修中心已检测完毕，更换了主板，今天寄回。",
				"同一问题二次维修，我们为您直接换新。"},
			notes: []string{"已联系厂家售后确认寄修地址。", "维修中心反馈需更换主板。", "二次返修，按规定换新。"},
			tags:  []string{"售后", "维修", "保修"},
		},
		"promotion": {
			titles: []string{"优惠券用不了", "优惠券过期了能补发吗", "满减活动没生效", "优惠券不能叠加吗", "活动价和到手价不一样",
				"{coupon}券怎么用", "领券中心领不到券", "降价了能退差价吗", "新人券没有收到", "秒杀没抢到但扣了钱"},
			bodies: []string{
				"领了{coupon}的优惠券，结算时提示不满足使用条件，可是我买了 {amount} 元的东西。",
				"{coupon}的券昨天刚过期，还没来得及用，能补发一张吗？",
				"活动页写着满减，下单的时候没有减，付了原价 {amount} 元。",
				"店铺券和平台券为什么不能一起用？",
				"买完第二天就降价了 {amount} 元，能退差价吗？",
				"新人券一直没发到账户里，注册已经 {days} 天了。",
				"领券中心一直显示已抢光，可活动才刚开始。",
			},
			details: []string{"活动截图我保存了。", "我是老会员了。", "优惠券在我的卡包里能看到。"},
			replies: []string{"已为您补发一张同面额优惠券，7 天内有效。",
				"该券仅限指定品类使用，您购物车里的商品不在活动范围内，已为您补偿 10 元无门槛券。",
				"平台券与店铺券可以叠加，但同类券每单限用一张。",
				"价保期内降价，差价 {amount} 元已退回到您的账户余额。"},
			notes: []string{"活动配置有误，已反馈运营。", "补发优惠券已发放。", "价保申请已通过。"},
			tags:  []string{"优惠券", "满减", "活动"},
		},
		"order_change": {
			titles: []string{"修改收货地址", "订单能改规格吗", "想取消订单", "改一下收货人电话", "订单 {order} 能合并发货吗",
				"下错单了", "能换个颜色吗", "备注没写上", "修改配送时间", "地址填错了"},
			bodies: []string{
				"订单 {order} 还没发货，收货地址想改到{city}的公司。",
				"{product}下单选错了颜色，还没发货的话能帮我改一下吗？",
				"刚下的单 {order} 不想要了，能直接取消吗？",
				"收货人电话填错了，应该是 138 0000 开头的那个号码。",
				"同一天下了两个订单，能合并成一个包裹发吗？",
				"想在订单上加个备注：周末再送货。",
				"地址里的门牌号少写了一位，包裹还没发，麻烦改一下。",
			},
			details: []string{"订单现在显示待发货。", "我在订单页找不到修改入口。", "付款方式不用变。"},
			replies: []string{"订单 {order} 尚未出库，收货地址已为您修改。",
				"已为您更换颜色，差价无需补，今天正常发货。",
				"订单已为您取消，款项原路退回。",
				"已通知仓库合并打包，两个订单会用同一个快递单发出。"},
			notes: []string{"已拦截出库，修改地址。", "仓库确认未打包，已改规格。", "订单已取消，库存已释放。"},
			tags:  []string{"改地址", "取消订单", "订单"},
		},
		"product": {
			titles: []string{"{product}尺码怎么选", "这款有现货吗", "{product}是正品吗", "能用在 110V 电压吗", "两个型号有什么区别",
				"什么时候补货", "{product}的材质是什么", "适合几岁的孩子", "保质期多久", "支持哪些配件"},
			bodies: []string{
				"身高 170 体重 {amount} 斤，{product}穿多大码合适？",
				"{product}详情页没写材质，是纯棉的吗？",
				"页面显示缺货，{product}大概什么时候补货？",
				"这款{product}带出国能用吗？那边是 110V。",
				"A 款和 B 款的{product}除了颜色还有什么区别？",
				"{product}适合三岁的孩子用吗？",
				"{product}是官方旗舰店发货的正品吗？有没有防伪码？",
			},
			details: []string{"想买来送人。", "之前买过同款，想再买一个。", "详情页的参数表看不太懂。"},
			replies: []string{"根据您的身高体重，建议选择 L 码，如不合适支持七天无理由退换。",
				"{product}为官方正品，包装内附防伪码，可扫码验证。",
				"该商品预计 {days} 天后补货，您可以点击“到货提醒”。",
				"这款{product}支持 100–240V 宽电压，国外可以直接使用。"},
			notes: []string{"已与商品部确认补货时间。", "材质信息已反馈运营补充到详情页。", "参数核对无误。"},
			tags:  []string{"咨询", "尺码", "现货"},
		},
	}
}
