// @ts-check
/**
 * The console's English labels: one flat catalogue, keys by screen. zh-CN.js has the same keys
 * (test/unit/console-i18n-catalogue.test.ts); `{name}` placeholders are filled by t().
 */
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
  'page.recordings.placeholder': 'Find a call’s recording by number, agent, queue or time; play it with its waveform, paused spans shaded; legal hold; the QA queue and the scoring form.',
  'page.reports.title': 'Reports',
  'page.reports.placeholder': 'The classic traffic reports, service level, ASA, AHT, abandonment and occupancy by interval, with tables, pie and bar charts, Excel and CSV downloads, and the Erlang C staffing what-if.',
  'page.ivr.title': 'IVR',
  'page.ivr.placeholder': 'IVR flows with their versions and the statistics of each node; the voicemail list with playback.',
  'page.routing.title': 'Routing',
  'page.routing.placeholder': 'For any call, why it went where it went: the ACD’s decisions and their explanations.',
  'page.placeholder.soon': 'Coming next',

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

  'conn.connecting': 'Connecting…',
  'conn.live': 'Live',
  'conn.reconnecting': 'Connection lost; reconnecting…',
  'conn.replaced': 'Opened in another window or by your softphone.',
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
};
