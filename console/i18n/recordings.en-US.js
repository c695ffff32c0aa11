// @ts-check
/** The recordings page, the player, legal hold and QA scoring: English labels, spread into ../i18n/en-US.js. Same keys as recordings.zh-CN.js. */
export default {
};
