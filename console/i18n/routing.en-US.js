// @ts-check
/** The routing page: why a call went where it went: English labels, spread into ../i18n/en-US.js. Same keys as routing.zh-CN.js. */
export default {
};
