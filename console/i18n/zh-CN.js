// @ts-check
/**
 * 控制台中文文案：与 en-US.js 键相同（test/unit/console-i18n-catalogue.test.ts 检查）。
 * @type {Record<keyof typeof import('./en-US.js').default, string>}
 */
export default {
  'app.title': 'Switchboard 呼叫中心控制台',
  'locale.label': '语言',
  'locale.en-US': 'English',
  'locale.zh-CN': '中文',

  'login.heading': '登录控制台',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.error.invalid': '用户名或密码错误。',
  'login.error.rateLimited': '尝试次数过多，请 {seconds} 秒后再试。',
  'login.error.network': '无法连接服务器。',
  'login.error.expired': '会话已结束，请重新登录。',
  'login.error.unexpected': '登录失败（HTTP {status}）。',

  'topbar.user': '用户',
  'topbar.roles': '角色',
  'topbar.logout': '退出登录',

  'role.agent': '坐席',
  'role.supervisor': '班长',
  'role.qa': '质检',
  'role.admin': '管理员',

  'nav.label': '页面',
  'page.wallboard.title': '实时监控',
  'page.recordings.title': '录音',
  'page.recordings.placeholder': '按号码、坐席、队列或时间查找通话录音；带波形播放，暂停录音的时段以阴影标出；法律保全；质检队列与评分表。',
  'page.reports.title': '报表',
  'page.reports.placeholder': '经典话务报表，按时段统计的服务水平、平均应答时间、平均处理时长、放弃率与占用率；表格、饼图与柱状图，Excel 与 CSV 下载，以及 Erlang C 排班测算。',
  'page.ivr.title': 'IVR 语音导航',
  'page.ivr.placeholder': 'IVR 流程及其版本，每个节点的统计；语音留言列表与播放。',
  'page.routing.title': '路由分析',
  'page.routing.placeholder': '任意一通电话为何被分配到该处：ACD 的每个决策及其说明。',
  'page.placeholder.soon': '即将推出',

  'notAllowed.title': '无权访问',
  'notAllowed.page': '您的角色无权访问此页面。',
  'notAllowed.none': '控制台没有适用于您角色的页面。坐席请使用软电话工作。',
  'notFound.page': '页面不存在。',

  'wallboard.agents': '坐席',
  'wallboard.count': '共 {count} 名坐席',
  'wallboard.empty': '暂无坐席。',
  'wallboard.col.agent': '工号',
  'wallboard.col.name': '姓名',
  'wallboard.col.extension': '分机',
  'wallboard.col.state': '状态',
  'wallboard.col.reason': '原因',
  'wallboard.col.time': '状态时长',
  'wallboard.error': '实时监控无法加载：{message}',

  'conn.connecting': '正在连接…',
  'conn.live': '实时',
  'conn.reconnecting': '连接中断，正在重新连接…',
  'conn.replaced': '已在另一个窗口或您的软电话中打开。',
  'conn.takeOver': '在此处显示',
  'conn.pbxDown': '交换机连接中断',

  'state.loggedOut': '已签出',
  'state.notReady': '未就绪',
  'state.ready': '就绪',
  'state.reserved': '来电振铃',
  'state.busy': '通话中',
  'state.workingAfterCall': '话后处理',

  'reason.signedIn': '刚签入',
  'reason.break': '休息',
  'reason.meeting': '会议',
  'reason.away': '离开',
  'reason.lunch': '午餐',
  'reason.training': '培训',
  'reason.daemonRestart': '服务器重启',
};
