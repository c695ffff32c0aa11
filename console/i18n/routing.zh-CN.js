// @ts-check
/** The routing page: why a call went where it went: Chinese labels, spread into ../i18n/zh-CN.js. Same keys as routing.en-US.js. */
export default {
};
