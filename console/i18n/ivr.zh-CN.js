// @ts-check
/** The IVR page: flows, node statistics, voicemail: Chinese labels, spread into ../i18n/zh-CN.js. Same keys as ivr.en-US.js. */
export default {
};
