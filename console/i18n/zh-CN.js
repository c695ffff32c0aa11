// @ts-check
/**
 * 控制台中文文案：与 en-US.js 键相同（test/unit/console-i18n-catalogue.test.ts 检查）。
 * @type {Record<keyof typeof import('./en-US.js').default, string>}
 */
import wallboard from './wallboard.zh-CN.js';
import recordings from './recordings.zh-CN.js';
import ivr from './ivr.zh-CN.js';
import routing from './routing.zh-CN.js';

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
  'page.reports.title': '报表',
  'page.ivr.title': 'IVR 语音导航',
  'page.routing.title': '路由分析',

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

  'reports.report': '报表',
  'reports.staffing': '排班测算',
  'reports.period': '统计周期',
  'reports.period.today': '今天',
  'reports.period.yesterday': '昨天',
  'reports.period.thisWeek': '本周',
  'reports.period.custom': '自定义',
  'reports.from': '开始日期',
  'reports.to': '结束日期',
  'reports.interval': '时段粒度',
  'reports.interval.15m': '15 分钟',
  'reports.interval.30m': '30 分钟',
  'reports.interval.60m': '1 小时',
  'reports.interval.day': '天',
  'reports.interval.week': '周',
  'reports.queue': '队列',
  'reports.queue.all': '全部队列',
  'reports.agent': '坐席',
  'reports.agent.all': '全部坐席',
  'reports.run': '查询',
  'reports.running': '正在查询…',
  'reports.error': '报表无法生成：{message}',
  'reports.error.period': '请选择结束日期不早于开始日期的统计周期。',
  'reports.empty': '该周期内没有通话。',
  'reports.formulas': '计算口径',
  'reports.download.csv': '下载 CSV',
  'reports.download.xlsx': '下载 Excel',
  'reports.perCall': '此报表每通电话一行：请下载文件查看。',
  'reports.staffing.target': '目标服务水平（%）',
  'reports.staffing.t': '接通时限（T，秒）',
  'reports.staffing.goal': '按 Erlang C 计算使 {target}% 的来电在 {seconds} 秒内接通所需的坐席数，并列出各时段实际达到的服务水平。',
  'reports.staffing.col.interval': '时段',
  'reports.staffing.col.offered': '呼入数',
  'reports.staffing.col.aht': '平均处理时长',
  'reports.staffing.col.erlangs': '话务量（爱尔兰）',
  'reports.staffing.col.agentsNeeded': '所需坐席数',
  'reports.staffing.col.predicted': '预测服务水平',
  'reports.staffing.col.reached': '实际服务水平',

  'conn.connecting': '正在连接…',
  'conn.live': '实时',
  'conn.reconnecting': '连接中断，正在重新连接…',
  'conn.replaced': '控制台已在另一个窗口中打开。',
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

  'confirm.ok': '确定',
  'confirm.cancel': '取消',

  // Each page's own labels, one file per page (so that pages grow without touching each other).
  ...wallboard,
  ...recordings,
  ...ivr,
  ...routing,
};
