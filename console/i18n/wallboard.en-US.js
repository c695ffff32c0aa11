// @ts-check
/** The wallboard and the supervisor actions: English labels, spread into ../i18n/en-US.js. Same keys as wallboard.zh-CN.js. */
export default {
};
