// @ts-check
/**
 * The console's English labels: one flat catalogue, keys by screen. zh-CN.js has the same keys
 * (test/unit/console-i18n-catalogue.test.ts); `{name}` placeholders are filled by t().
 */
import wallboard from './wallboard.en-US.js';
import recordings from './recordings.en-US.js';
import ivr from './ivr.en-US.js';
import routing from './routing.en-US.js';

export default {
  'app.title': 'Switchboard console',
  'locale.label': 'Language',
  'locale.en-US': 'English',
  'locale.zh-CN': '中文',

  'login.heading': 'Sign in to the console',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.error.invalid': 'Wrong username or password.',
  'login.error.rateLimited': 'Too many attempts; try again in {seconds} s.',
  'login.error.network': 'The server cannot be reached.',
  'login.error.expired': 'Your session has ended; please sign in again.',
  'login.error.unexpected': 'Sign-in failed (HTTP {status}).',

  'topbar.user': 'User',
  'topbar.roles': 'Roles',
  'topbar.logout': 'Sign out',

  'role.agent': 'Agent',
  'role.supervisor': 'Supervisor',
  'role.qa': 'Quality assurance',
  'role.admin': 'Administrator',

  'nav.label': 'Pages',
  'page.wallboard.title': 'Wallboard',
  'page.recordings.title': 'Recordings',
  'page.reports.title': 'Reports',
  'page.ivr.title': 'IVR',
  'page.routing.title': 'Routing',

  'notAllowed.title': 'Not allowed',
  'notAllowed.page': 'Your roles do not give access to this page.',
  'notAllowed.none': 'The console has no pages for your roles. Agents work from their softphone.',
  'notFound.page': 'There is no such page.',

  'wallboard.agents': 'Agents',
  'wallboard.count': '{count} agents',
  'wallboard.empty': 'No agents yet.',
  'wallboard.col.agent': 'Agent',
  'wallboard.col.name': 'Name',
  'wallboard.col.extension': 'Extension',
  'wallboard.col.state': 'State',
  'wallboard.col.reason': 'Reason',
  'wallboard.col.time': 'Time in state',
  'wallboard.error': 'The wallboard cannot be loaded: {message}',

  'reports.report': 'Report',
  'reports.staffing': 'Staffing what-if',
  'reports.period': 'Period',
  'reports.period.today': 'Today',
  'reports.period.yesterday': 'Yesterday',
  'reports.period.thisWeek': 'This week',
  'reports.period.custom': 'Custom',
  'reports.from': 'From',
  'reports.to': 'To',
  'reports.interval': 'Interval',
  'reports.interval.15m': '15 minutes',
  'reports.interval.30m': '30 minutes',
  'reports.interval.60m': 'Hour',
  'reports.interval.day': 'Day',
  'reports.interval.week': 'Week',
  'reports.queue': 'Queue',
  'reports.queue.all': 'All queues',
  'reports.agent': 'Agent',
  'reports.agent.all': 'All agents',
  'reports.run': 'Run',
  'reports.running': 'Running…',
  'reports.error': 'The report cannot be run: {message}',
  'reports.error.period': 'Choose a period whose last day is not before its first.',
  'reports.empty': 'No calls in this period.',
  'reports.formulas': 'Definitions used',
  'reports.download.csv': 'Download CSV',
  'reports.download.xlsx': 'Download Excel',
  'reports.perCall': 'This report has one row per call: download it as a file.',
  'reports.staffing.target': 'Target service level (%)',
  'reports.staffing.t': 'Answered within (T, s)',
  'reports.staffing.goal': 'Agents needed for {target}% of calls answered within {seconds} s (Erlang C), beside the service level each interval reached.',
  'reports.staffing.col.interval': 'Interval',
  'reports.staffing.col.offered': 'Offered',
  'reports.staffing.col.aht': 'AHT',
  'reports.staffing.col.erlangs': 'Traffic (erlangs)',
  'reports.staffing.col.agentsNeeded': 'Agents needed',
  'reports.staffing.col.predicted': 'Predicted service level',
  'reports.staffing.col.reached': 'Service level reached',

  'conn.connecting': 'Connecting…',
  'conn.live': 'Live',
  'conn.reconnecting': 'Connection lost; reconnecting…',
  'conn.replaced': 'The console was opened in another window.',
  'conn.takeOver': 'Show it here',
  'conn.pbxDown': 'Switch link down',

  'state.loggedOut': 'Signed out',
  'state.notReady': 'Not ready',
  'state.ready': 'Ready',
  'state.reserved': 'Call offered',
  'state.busy': 'On a call',
  'state.workingAfterCall': 'Wrap-up',

  'reason.signedIn': 'Just signed in',
  'reason.break': 'Break',
  'reason.meeting': 'Meeting',
  'reason.away': 'Away',
  'reason.lunch': 'Lunch',
  'reason.training': 'Training',
  'reason.daemonRestart': 'Server restarted',

  'confirm.ok': 'Confirm',
  'confirm.cancel': 'Cancel',

  // Each page's own labels, one file per page (so that pages grow without touching each other).
  ...wallboard,
  ...recordings,
  ...ivr,
  ...routing,
};
