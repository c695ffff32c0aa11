// @ts-check
/** The IVR page: flows, node statistics, voicemail: English labels, spread into ../i18n/en-US.js. Same keys as ivr.zh-CN.js. */
export default {
};
