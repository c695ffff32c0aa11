// @ts-check
/** The wallboard and the supervisor actions: Chinese labels, spread into ../i18n/zh-CN.js. Same keys as wallboard.en-US.js. */
export default {
};
